import HubKernel

/// The rule for a topic one can be present on: any valid topic except presence's own.
enum TrackedTopic {
    static func validate(_ name: String) throws(ValidationFailure) {
        guard let topic = Topic(name), topic.module != "presence" else {
            throw ValidationFailure("topic", "topic must be '<module>:<name>' of another module")
        }
    }

    /// Checks the caller may subscribe to the topic, under its owning module's rules.
    /// - Throws: `forbidden` or `not_found` as `hub.subscribe` would answer.
    static func authorize(_ name: String, access: HubAccess, identity: Identity) async throws {
        try await access.access(to: Topic(unchecked: name), for: identity).require()
    }
}

/// The payload of the topic commands: `{topic}` naming a topic one can be present on.
struct TopicPayload: Decodable, Sendable, Validatable {
    var topic: String
    func validate() throws(ValidationFailure) { try TrackedTopic.validate(topic) }
}

import HubKernel

/// The presence module's topics, built in one place.
enum PresenceTopics {
    /// `presence:users`: everyone's online status and status changes.
    static let users = ModuleTopic<PresenceModule>(PresenceTracker.usersTopic)
    /// `presence:<topic>`: who is present on another topic (`presence:chat:general`).
    static func of(_ topic: String) -> ModuleTopic<PresenceModule> { ModuleTopic(topic) }
}

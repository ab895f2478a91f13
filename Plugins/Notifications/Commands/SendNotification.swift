import HubKernel

/// `notifications.send {userIds | role, category, title, body, link?}` → `{count, ids}`: staff
/// (agents and admins) notify users directly or everyone with a role. Goes through the same
/// `Notifier` as other modules.
struct SendNotification: CommandHandler {
    static let type: CommandType = "notifications.send"
    static let role: Role = .agent
    static let rateLimit = RateLimit(5, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var userIds: [String]?
        var role: String?
        var category: String
        var title: String
        var body: String?
        var link: String?
        func validate() throws(ValidationFailure) {
            switch (userIds, role) {
            case (nil, nil), (.some, .some): throw ValidationFailure("userIds", "give either userIds or role")
            case (.some(let ids), nil):
                guard (1...1000).contains(ids.count) else { throw ValidationFailure("userIds", "userIds must list 1 to 1000 users") }
            case (nil, .some(let role)):
                guard Role(rawValue: role) != nil else { throw ValidationFailure("role", "role must be guest, user, agent, host or admin") }
            }
            _ = try NotificationRules.category(category)
            _ = try NotificationRules.title(title)
            _ = try NotificationRules.body(body ?? "")
            _ = try NotificationRules.link(link)
        }
    }
    struct Reply: Encodable, Sendable { var count: Int; var ids: [String] }

    let store: NotificationStore
    let notifier: StoredNotifier
    /// Most recipients one role-wide send reaches.
    static let maxRecipients = 10_000

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        var recipients: [String]
        if let ids = payload.userIds {
            let unknown = try await store.unknownUsers(ids)
            guard unknown.isEmpty else { throw HubError.validation("userIds", "unknown user \(unknown[0])") }
            recipients = ids
        } else {
            guard let role = payload.role.flatMap(Role.init(rawValue:)) else {
                throw HubError.validation("role", "role must be guest, user, agent, host or admin")
            }
            recipients = try await store.users(withRole: role, limit: Self.maxRecipients)
        }
        recipients = Array(Set(recipients))
        guard !recipients.isEmpty else { return Reply(count: 0, ids: []) }
        let outgoing = OutgoingNotification(
            userIDs: recipients, category: try NotificationRules.category(payload.category), title: payload.title,
            body: payload.body ?? "", link: payload.link, source: "notifications")
        switch try await notifier.notify(outgoing) {
        case .stored(let ids): return Reply(count: ids.count, ids: ids)
        case .skipped: return Reply(count: 0, ids: [])
        }
    }
}

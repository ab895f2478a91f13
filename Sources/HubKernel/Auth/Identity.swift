/// Who is calling: the authenticated user behind a connection or an HTTP request.
///
/// It comes from a verified access token, so it is trusted as is; a role change refuses the
/// account's earlier tokens and closes its sockets, so the next identity carries the new role.
public struct Identity: Sendable, Hashable, Codable {
    /// The user's stable id (a UUID string); topics `user:<id>` are keyed by it.
    public var userID: String
    /// The name shown to others.
    public var displayName: String
    /// What this identity may do.
    public var role: Role

    /// An identity as the token or the account store states it.
    public init(userID: String, displayName: String, role: Role) {
        self.userID = userID
        self.displayName = displayName
        self.role = role
    }

    /// The kernel-owned topic every connection of this user is subscribed to.
    public var userTopic: Topic { Topic(unchecked: "user:\(userID)") }
}

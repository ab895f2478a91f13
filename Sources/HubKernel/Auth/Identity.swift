/// Who is calling: the authenticated user behind a connection or an HTTP request.
///
/// It comes from a verified access token, so it is trusted as is; role changes take effect
/// with the next token (`hub.auth` or a reconnect).
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

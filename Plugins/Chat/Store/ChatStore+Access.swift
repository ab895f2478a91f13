import HubKernel

extension ChatStore {
    /// The room, if the caller may read it: `not_found` alike when it does not exist and for
    /// a private or DM room the caller is not a member of, so the answer never tells an
    /// outsider that a private room or a conversation exists.
    func readable(_ room: String, by identity: Identity) async throws -> Access {
        try Self.readable(try await access(room, for: identity.userID), room: room, by: identity)
    }

    /// Whether the caller may read `room` (a member, a public room, or an admin); `false`
    /// for an unknown room. A failing lookup throws: it is never mistaken for "no".
    func canRead(_ room: String, by identity: Identity) async throws -> Bool {
        guard let access = try await access(room, for: identity.userID) else { return false }
        return access.canRead || identity.role == .admin
    }

    /// The room, if the caller is a member (has joined a public room, or belongs to a private
    /// or DM room): needed to write, type and keep a read position.
    func joined(_ room: String, by identity: Identity) async throws -> Access {
        try Self.joined(try await access(room, for: identity.userID), room: room, by: identity)
    }

    /// The read rule applied to what was looked up (`nil`: no such room).
    static func readable(_ access: Access?, room: String, by identity: Identity) throws -> Access {
        guard let access, access.canRead || identity.role == .admin else { throw HubError.notFound("no room '\(room)'") }
        return access
    }

    /// The write rule applied to what was looked up: readable, and a member.
    static func joined(_ access: Access?, room: String, by identity: Identity) throws -> Access {
        let access = try readable(access, room: room, by: identity)
        guard access.isMember else { throw HubError.forbidden("join '\(room)' first") }
        return access
    }
}

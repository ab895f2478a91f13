/// One live node as `GET /admin/cluster` lists it.
public struct ClusterNode: Sendable, Encodable, Equatable {
    /// The node's name (`HUB_NODE_NAME`).
    public var name: String
    /// When the node started, in ms since the epoch.
    public var startedAt: Int64
    /// The node's last heartbeat (every second), in ms since the epoch.
    public var lastSeenAt: Int64
    /// Its open WebSocket connections as of `lastSeenAt`.
    public var connections: Int
    /// The singleton jobs it runs (`betting.clock`, `tickets.sla`).
    public var leaderOf: [String]
}

public import NIOCore
import Synchronization

/// One client connection as the hub sees it: who it is, what it subscribes to, and the
/// queue its frames go through. The transport (a WebSocket, or the in-process test client)
/// drains ``outbound``.
public final class Connection: Sendable {
    /// Unique per process; shown to the client in `hub.welcome`.
    public let id: String
    /// The client's address, for per-IP rate limits and logs.
    public let remoteAddress: String
    /// Frames waiting to be written.
    public let outbound: OutboundQueue

    struct State {
        var identity: Identity
        var tokenExpiresAtMs: Int64
        var expiryWarned = false
        var admittedAtMs: Int64 = 0
        var topics: Set<String> = []
        var consecutiveBadFrames = 0
        /// Replies waiting for their commits' flush, in command order (``release(_:re:after:database:done:)``).
        var heldReplies: [HeldReply] = []
        /// Whether ``heldReplies`` are being released (one release at a time).
        var releasing = false
        /// Commands waiting for every held reply to leave (``earlierRepliesReleased()``).
        var releaseWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state: Mutex<State>

    init(id: String, identity: Identity, tokenExpiresAtMs: Int64, remoteAddress: String, outbound: OutboundQueue) {
        self.id = id
        self.remoteAddress = remoteAddress
        self.outbound = outbound
        self.state = Mutex(State(identity: identity, tokenExpiresAtMs: tokenExpiresAtMs))
    }

    /// The identity of the current token.
    public var identity: Identity { state.withLock { $0.identity } }
    /// When the current token expires, in ms since the epoch.
    public var tokenExpiresAtMs: Int64 { state.withLock { $0.tokenExpiresAtMs } }
    /// The topics this connection is subscribed to.
    public var topics: Set<String> { state.withLock { $0.topics } }

    /// What modules' connection hooks see.
    public var info: ConnectionInfo {
        ConnectionInfo(id: id, identity: identity, remoteAddress: remoteAddress)
    }

    /// Writes a frame to this connection only.
    @discardableResult
    public func send(_ frame: ByteBuffer) -> Bool { outbound.enqueue(frame) }
}

/// What a module's connect/disconnect hook learns about a connection.
public struct ConnectionInfo: Sendable, Hashable {
    /// The connection's id.
    public var id: String
    /// Who is connected.
    public var identity: Identity
    /// The client's address.
    public var remoteAddress: String
}

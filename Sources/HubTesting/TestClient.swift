import Foundation
public import HubKernel
import Synchronization

/// A client of a test hub: send commands, await replies and events, like a real client.
///
/// ```swift
/// let reply = try await client.send("poll.create", ["question": "Tea?", "options": ["yes", "no"]])
/// #expect(reply.ok)
/// let tally = try await client.expectEvent("poll.tally", on: "poll:\(id)")
/// ```
public final class TestClient: Sendable {
    /// Who this client is.
    public let identity: Identity
    /// Its access token.
    public let accessToken: String
    /// The refresh token of its session.
    public let refreshToken: String
    /// The `hub.welcome` event this connection started with.
    public let welcome: TestFrame
    let transport: any TestTransport
    let inbox: Inbox
    private let nextID = Atomic<Int>(1)

    init(identity: Identity, accessToken: String, refreshToken: String, welcome: TestFrame, transport: any TestTransport, inbox: Inbox) {
        self.identity = identity
        self.welcome = welcome
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.transport = transport
        self.inbox = inbox
    }

    /// Sends a command with a fresh integer id and returns its reply (events stay queued).
    public func send(_ type: String, _ data: JSON = [:], timeout: Duration = .seconds(10)) async throws -> TestFrame {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let frame: JSON = ["id": .int(Int64(id)), "type": .string(type), "data": data]
        try await transport.sendText(frame.text)
        return try await expectReply(re: .int(Int64(id)), timeout: timeout)
    }

    /// Sends a command without an id (fire-and-forget).
    public func sendWithoutID(_ type: String, _ data: JSON = [:]) async throws {
        let frame: JSON = ["type": .string(type), "data": data]
        try await transport.sendText(frame.text)
    }

    /// Sends a text frame exactly as given.
    public func sendRaw(_ text: String) async throws { try await transport.sendText(text) }
    /// Sends a binary frame.
    public func sendBinary(_ bytes: [UInt8]) async throws { try await transport.sendBinary(bytes) }
    /// Sends a text frame with arbitrary bytes (invalid UTF-8 included).
    public func sendRawText(_ bytes: [UInt8]) async throws { try await transport.sendRawText(bytes) }

    /// The reply whose `re` equals `re`.
    public func expectReply(re: JSON, timeout: Duration = .seconds(10)) async throws -> TestFrame {
        try await inbox.take("a reply to \(re)", timeout: timeout) { $0.isReply && $0.re == re }
    }

    /// The next frame of any kind, in arrival order (to check the order itself).
    public func nextFrame(timeout: Duration = .seconds(10)) async throws -> TestFrame {
        try await inbox.take("any frame", timeout: timeout) { _ in true }
    }

    /// The next reply without an id (`re: null`): an error to a fire-and-forget or bad frame.
    public func expectUnaddressedError(timeout: Duration = .seconds(10)) async throws -> TestFrame {
        try await inbox.take("an error with re: null", timeout: timeout) { $0.isReply && $0.re.isNull }
    }

    /// The first unclaimed event of `type` (on `topic`, when given).
    @discardableResult
    public func expectEvent(_ type: String, on topic: String? = nil, timeout: Duration = .seconds(10)) async throws -> TestFrame {
        try await inbox.take("event \(type)\(topic.map { " on \($0)" } ?? "")", timeout: timeout) {
            !$0.isReply && $0.type == type && (topic == nil || $0.topic == topic)
        }
    }

    /// Fails when an event of `type` (on `topic`, when given) is there once the hub has answered
    /// a `hub.ping` sent now, or arrives within `settle` after that; fails on a closed connection.
    ///
    /// The ping is a barrier, not a wait: the hub writes each connection's frames in the order
    /// it queues them, so every event queued for this connection before the hub read the ping
    /// arrives before the ping's reply. An event caused by an awaited command, an injected
    /// clock's tick or a service's awaited `check()` is therefore either there or never coming,
    /// with no real time spent. Only an event driven by real time (a running service on the
    /// system clock) needs `settle`.
    /// - Throws: ``UnexpectedFrame`` when the event came, ``ConnectionClosed`` when the
    ///   connection is closed (a dead connection proves nothing about events).
    public func expectNoEvent(_ type: String, on topic: String? = nil, settle: Duration = .zero) async throws {
        if isClosed { throw ConnectionClosed(code: inbox.closeCode, waitingFor: "no \(type) event") }
        let barrier = try await send("hub.ping")
        guard barrier.ok else { throw UnexpectedFrame(frame: barrier) }
        if settle > .zero { try await Task.sleep(for: settle) }
        let matches: (TestFrame) -> Bool = { !$0.isReply && $0.type == type && (topic == nil || $0.topic == topic) }
        if let frame = inbox.unclaimed.first(where: matches) { throw UnexpectedFrame(frame: frame) }
        if isClosed { throw ConnectionClosed(code: inbox.closeCode, waitingFor: "no \(type) event") }
    }

    /// Frames received and not claimed yet.
    public var unclaimed: [TestFrame] { inbox.unclaimed }

    /// Removes and returns every frame nobody has claimed (a long-running driver, such as the
    /// `command` fuzz target, checks and forgets what arrived so its inbox does not grow).
    public func drain() -> [TestFrame] { inbox.drain() }

    /// Waits until the server closes the connection. - Returns: the close code.
    @discardableResult
    public func expectClose(timeout: Duration = .seconds(10)) async throws -> UInt16? {
        try await inbox.waitForClose(timeout: timeout)
    }

    /// Whether the connection is closed.
    public var isClosed: Bool { inbox.isClosed }

    /// Closes the connection from the client side.
    public func close() async { await transport.close() }
}

/// A frame arrived that the test said must not.
public struct UnexpectedFrame: Error, CustomStringConvertible {
    /// The frame that should not have come.
    public var frame: TestFrame
    public var description: String { "unexpected frame: \(frame.text)" }
}

/// The connection was closed where the test needed it open.
public struct ConnectionClosed: Error, CustomStringConvertible {
    /// The close code, when the server sent one.
    public var code: UInt16?
    /// What the test was checking.
    public var waitingFor: String
    public var description: String { "the connection is closed (\(code.map(String.init) ?? "no code")) while checking for \(waitingFor)" }
}

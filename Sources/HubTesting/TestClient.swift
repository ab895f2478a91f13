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

    /// Fails when an event of `type` arrives within `duration`.
    public func expectNoEvent(_ type: String, on topic: String? = nil, within duration: Duration = .milliseconds(200)) async throws {
        do {
            let frame = try await expectEvent(type, on: topic, timeout: duration)
            throw UnexpectedFrame(frame: frame)
        } catch is TestTimeout {
            return
        }
    }

    /// Frames received and not claimed yet.
    public var unclaimed: [TestFrame] { inbox.unclaimed }

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
    public var frame: TestFrame
    public var description: String { "unexpected frame: \(frame.text)" }
}

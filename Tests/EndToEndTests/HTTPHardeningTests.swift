import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// What a careless or hostile HTTP client gets before any route runs (#17 item 3): half a
/// request head is 408 and closed after `HTTP_HEADER_TIMEOUT_MS`, a head over
/// `HTTP_MAX_HEADER_BYTES` is 431, a request NIO cannot parse (a garbage request line,
/// `Transfer-Encoding` with `Content-Length`) is 400; each connection is closed, none held.
@Suite("HTTP hardening")
struct HTTPHardeningTests {
    /// Sends `chunks` to the server (pausing `pause` between them) and reads until the server
    /// closes or `within` passes. - Returns: what arrived, and whether the server closed.
    static func exchange(port: Int, _ chunks: [String], pause: Duration = .zero, within: Duration = .seconds(5)) async throws -> (text: String, closed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            for (index, chunk) in chunks.enumerated() {
                if index > 0 { try await Task.sleep(for: pause) }
                // on a loaded machine the server's timeout may close the socket before a write
                // gets there: what it sent before closing is still read below
                do { try await outbound.write(ByteBuffer(string: chunk)) } catch { break }
            }
            let received = Received()
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do { for try await buffer in inbound { received.text.withLock { $0 += String(buffer: buffer) } } } catch {}
                    return true
                }
                group.addTask { try await Task.sleep(for: within); return false }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            return (received.text.withLock { $0 }, closed)
        }
    }

    /// What arrived so far on a socket, shared with the task reading it.
    final class Received: Sendable { let text = Mutex("") }

    static let environment = ["HTTP_HEADER_TIMEOUT_MS": "1000", "HTTP_MAX_HEADER_BYTES": "8192"]

    @Test("half a request head is 408 and closed after the header timeout; a head split across reads is served")
    func slowHead() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: Self.environment) { hub in
            let started = ContinuousClock.now
            let partial = try await Self.exchange(port: hub.port, ["GET /healthz HTTP/1.1\r\nHost: x\r\n"])
            #expect(partial.closed && partial.text.hasPrefix("HTTP/1.1 408"), "\(partial)")
            #expect(ContinuousClock.now - started < .seconds(3))
            let split = try await Self.exchange(port: hub.port, ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r", "\n"], pause: .milliseconds(100),
                                                within: .seconds(1))
            #expect(split.text.hasPrefix("HTTP/1.1 200"), "the blank line split across two reads still ends the head: \(split)")
            // many idle half-requests are all closed, none held
            let many = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 { group.addTask { try await Self.exchange(port: hub.port, ["GET / HTTP/1.1\r\n"]).closed } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(many == 40)
        }
    }

    @Test("a head over HTTP_MAX_HEADER_BYTES is 431; a garbage request line and Transfer-Encoding with Content-Length are 400", arguments: [
        ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 10_000) + "\r\n\r\n", "431"),
        ("GARBAGE\r\n\r\n", "400"),
        ("POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
    ])
    func malformed(request: String, status: String) async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: Self.environment) { hub in
            let answer = try await Self.exchange(port: hub.port, [request])
            #expect(answer.closed && answer.text.hasPrefix("HTTP/1.1 \(status)"), "\(answer.text.prefix(80))")
            let healthy = try await HTTP(baseURL: hub.baseURL!).get("/healthz")
            #expect(healthy.status == 200, "the server serves the next client")
        }
    }
}

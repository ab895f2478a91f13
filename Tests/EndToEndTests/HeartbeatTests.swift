import Foundation
import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// Liveness over a real socket (protocol.md "Liveness"): the server pings every
/// `heartbeatMs`; a client that never answers is closed with 1001, one that answers stays.
@Suite("Heartbeat and idle timeout")
struct HeartbeatTests {
    static let fast = ["HUB_HEARTBEAT_MS": "200", "HUB_IDLE_TIMEOUT_MS": "300"]

    @Test("the server pings; a client that never answers is closed with 1001") func unanswered() async throws {
        try await TestHub.run(modules: [], .live, environment: Self.fast) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "silent").accessToken
            let socket = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)")
            #expect(socket.status == 101)
            var pings = 0
            var closeCode: UInt16?
            let started = ContinuousClock.now
            while let frame = try await socket.next(timeout: .seconds(5)) {
                if frame.opcode == 0x9 { pings += 1 }
                if frame.opcode == 0x8 { closeCode = frame.closeCode; break }
            }
            #expect(pings >= 1)
            // how fast is for a benchmark; `next` gives up after 5 s without a frame
            #expect(closeCode == CloseCode.goingAway.rawValue, "after \(ContinuousClock.now - started)")
            // a client that does not answer the close either: the server closes the TCP connection after its 5 s wait
            let waited = ContinuousClock.now
            #expect(try await socket.next(timeout: .seconds(8)) == nil)
            #expect(ContinuousClock.now - waited >= .seconds(4), "the server closed before waiting for the client's answer")
            await socket.close()
        }
    }

    @Test("a client that answers every ping stays open well past the idle timeout") func answered() async throws {
        // an idle timeout long enough that a pong is never late on a busy two-core test machine
        // (the test process's threads also run every other suite's server and clients), and a
        // stay more than twice as long, so a server that ignored the pongs would close midway
        try await TestHub.run(modules: [], .live, environment: ["HUB_HEARTBEAT_MS": "400", "HUB_IDLE_TIMEOUT_MS": "2000"]) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "alive").accessToken
            let socket = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)")
            let pongs = try await stayOpen(socket, for: .milliseconds(4500)) { ping in socket.send(opcode: 0xA, ping.payload) }
            #expect(pongs >= 2)
            socket.send(text: #"{"id":"still-here","type":"hub.ping"}"#)
            let reply = try #require(try await socket.nextIgnoringPings())
            #expect(JSON.parse(reply.text)?["re"] == "still-here")
            await socket.close()
        }
    }

    /// Reads frames for `duration`, handing each ping to `onPing`; records an issue when the
    /// server closes meanwhile. - Returns: how many pings came.
    func stayOpen(_ socket: RawWebSocket, for duration: Duration, onPing: (RawWebSocket.Frame) -> Void) async throws -> Int {
        var pings = 0
        let until = ContinuousClock.now + duration
        while ContinuousClock.now < until {
            guard let frame = try await socket.next(timeout: .seconds(2)) else { break }
            if frame.opcode == 0x8 {
                Issue.record("closed with \(frame.closeCode.map(String.init) ?? "-") after \(pings) pings")
                break
            }
            if frame.opcode == 0x9 {
                pings += 1
                onPing(frame)
            }
        }
        return pings
    }

    /// A client that never answers the server's pings but sends `frame` every 150 ms, for more
    /// than twice the idle timeout (a timeout of thirteen periods: a frame is never late enough
    /// to matter on a busy two-core test machine; without counting them the server closes midway).
    func keepsAlive(by frame: @escaping @Sendable (RawWebSocket) -> Void) async throws {
        try await TestHub.run(modules: [], .live, environment: ["HUB_HEARTBEAT_MS": "400", "HUB_IDLE_TIMEOUT_MS": "2000"]) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "busy").accessToken
            let socket = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)")
            let sending = Task {
                while !Task.isCancelled {
                    frame(socket)
                    try await Task.sleep(for: .milliseconds(150))
                }
            }
            defer { sending.cancel() }
            let pings = try await stayOpen(socket, for: .milliseconds(4500)) { _ in }   // seen, never answered
            sending.cancel()
            #expect(pings >= 3, "the server still pings a client that is active")
            socket.send(text: #"{"id":"alive","type":"hub.ping"}"#)
            var reply: JSON?
            while reply == nil, let next = try await socket.nextIgnoringPings() {
                if let json = JSON.parse(next.text), json["re"] == "alive" { reply = json }
            }
            #expect(reply?["ok"] == true)
            await socket.close()
        }
    }

    @Test("unsolicited pongs count as activity: the connection stays open without answering a single ping") func unsolicitedPongs() async throws {
        try await keepsAlive { $0.send(opcode: 0xA, Array("tick".utf8)) }
    }

    @Test("commands count as activity: the connection stays open without answering a single ping") func commands() async throws {
        try await keepsAlive { $0.send(text: #"{"type":"hub.ping"}"#) }
    }
}

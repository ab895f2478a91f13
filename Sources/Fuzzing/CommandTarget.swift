import Betting
import CHSH
import Chat
import Foundation
import HubKernel
import HubTesting
import Notifications
import Polls
import Presence
import Synchronization
import Tickets

/// Whole client frames through a hub with every module loaded (in process, on a fresh
/// SQLite database): the envelope, each command's payload decoding and validation, the
/// cursors, the handlers and the database's constraints behind them.
///
/// The first byte picks the sender's role (guest, user, agent, host, admin); the rest is one
/// text frame (valid UTF-8: the WebSocket layer closes on anything else). Rate limits are
/// off so every input reaches its handler. Properties: no frame is ever answered `internal`
/// (a rule the validator and the database disagree on, an unmapped error); the connection
/// is not closed as a server error (1011) and still answers the next command in order.
final class CommandTarget: FuzzTarget {
    /// Every module the catalog ships (Switchboard's `Catalog`, less the web page).
    static let modules: [any HubModule.Type] = [
        ChatModule.self, PresenceModule.self, NotificationsModule.self, TicketsModule.self,
        BettingModule.self, CHSHModule.self, PollModule.self,
    ]
    static let roles: [Role] = [.guest, .user, .agent, .host, .admin]

    private let hub: TestHub
    private let clients: Mutex<[Role: TestClient]>

    init() async throws {
        let types = try await TestHub.run(modules: Self.modules) { $0.hub.routes.sorted.map(\.type) }
        var environment: [String: String] = [:]
        for type in types { environment[Self.rateLimitVariable(type)] = "off" }
        let (started, continuation) = AsyncStream.makeStream(of: TestHub.self)
        Task.detached { [environment] in
            // the hub lives as long as the process; if it cannot start, the wait below ends
            try? await TestHub.run(modules: Self.modules, environment: environment) { hub in
                continuation.yield(hub)
                while true { try await Task.sleep(for: .seconds(3_600)) }
            }
            continuation.finish()
        }
        var iterator = started.makeAsyncIterator()
        guard let hub = await iterator.next() else { throw HubError.unavailable("the fuzz hub did not start") }
        self.hub = hub
        var clients: [Role: TestClient] = [:]
        for role in Self.roles { clients[role] = try await hub.client(role: role) }
        self.clients = Mutex(clients)
    }

    /// `RATE_LIMIT_<MODULE>_<ACTION>` (configuration.md), the action in UPPER_SNAKE.
    private static func rateLimitVariable(_ type: CommandType) -> String {
        let action = type.action.unicodeScalars.map { CharacterSet.uppercaseLetters.contains($0) ? "_\($0)" : "\($0)" }.joined()
        return "RATE_LIMIT_\(type.module.uppercased())_\(action.uppercased())"
    }

    func run(_ input: Data) async {
        guard let selector = input.first, String(data: input.dropFirst(), encoding: .utf8) != nil else { return }
        let role = Self.roles[Int(selector) % Self.roles.count]
        do {
            let client = try await client(for: role)
            try await client.sendRawText(Array(input.dropFirst()))
            try await client.sendRaw(#"{"id":"fuzz-sentinel","type":"hub.ping"}"#)
            if !client.isClosed {
                do {
                    _ = try await client.expectReply(re: "fuzz-sentinel", timeout: .seconds(10))
                } catch {
                    if !client.isClosed { FuzzFinding.report("the connection stopped answering: \(error)", input: input) }
                }
            }
            // every client: an admin's command can reach the others (events, closes)
            for other in clients.withLock({ Array($0.values) }) {
                for frame in other.drain() where frame.json["error"]["code"].string == "internal" {
                    FuzzFinding.report("answered internal: \(frame.text)", input: input)
                }
                if other.isClosed, let code = try? await other.expectClose(timeout: .zero), code == 1011 {
                    FuzzFinding.report("a connection was closed as a server error (1011)", input: input)
                }
            }
        } catch {
            FuzzFinding.report("the harness could not talk to the hub: \(error)", input: input)
        }
    }

    /// The open client of `role`, reconnected (as a new account) when an earlier input closed
    /// it (a logout, an admin's demotion or revocation: closes the protocol allows).
    private func client(for role: Role) async throws -> TestClient {
        if let open = clients.withLock({ $0[role] }), !open.isClosed { return open }
        let fresh = try await hub.client(role: role)
        clients.withLock { $0[role] = fresh }
        return fresh
    }
}

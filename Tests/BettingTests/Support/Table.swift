import Foundation
import HubKernel
import HubTesting
import Notifications
import Testing
@testable import Betting

/// A betting table on a test clock: 40 s of betting, 10 s locked, 5 s settled (the defaults).
struct Table {
    static let secret = "test-webhook-secret-0123456789abcdef"
    static let environment = ["MODULES_BETTING_WEBHOOK_SECRET": secret, "RATE_LIMIT_BETTING_PLACE": "off",
                              "MODULES_BETTING_TABLES": "table-1,table-2"]

    let hub: TestHub
    let clock: TestClock
    let module: BettingModule

    @discardableResult
    static func run<T: Sendable>(_ mode: TestHub.Mode = .inProcess, environment: [String: String] = [:], database: RestartableDatabase? = nil,
                                 clock: TestClock = TestClock(), _ body: @Sendable (Table) async throws -> T) async throws -> T {
        try await TestHub.run(modules: [NotificationsModule.self, BettingModule.self], mode, environment: Self.environment.merging(environment) { $1 },
                              database: database, clock: clock) { hub in
            let module = try #require(hub.hub.modules.compactMap { $0 as? BettingModule }.first)
            return try await body(Table(hub: hub, clock: clock, module: module))
        }
    }

    /// Credits `amount` to `client`'s wallet (as the webhook would) and returns the balance.
    @discardableResult
    func fund(_ client: TestClient, _ amount: String) async throws -> Money {
        try await module.wallets.deposit(paymentID: UUID().uuidString, userID: client.identity.userID,
                                         amount: try Money(parsing: amount, field: "amount")).balance
    }

    /// One tick of the round clock.
    func tick(recovering: Bool = false) async throws { try await module.clock.advanceAll(recovering: recovering) }

    /// The open round of `table` (opening one when there is none).
    func round(_ table: String = "table-1") async throws -> RoundStore.Round {
        if try await module.rounds.current(table) == nil { try await tick() }
        return try #require(try await module.rounds.current(table))
    }

    /// A bet's payload.
    static func bet(_ round: RoundStore.Round, _ type: String, _ selection: String, _ amount: String, key: String = UUID().uuidString) -> JSON {
        ["table": .string(round.table), "roundId": .string(round.id), "type": .string(type), "selection": .string(selection),
         "amount": .string(amount), "idempotencyKey": .string(key)]
    }

    /// Balance = ledger sum for every wallet, and no bet left pending on a closed round.
    func expectSound(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await module.wallets.mismatches().isEmpty, sourceLocation: sourceLocation)
        #expect(try await module.rounds.halfSettled().isEmpty, sourceLocation: sourceLocation)
    }
}

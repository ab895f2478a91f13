import Crypto
import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Betting

@Suite("the round clock and settlement")
struct RoundClockTests {
    @Test("betting → locked → settled → the next round, on the configured durations") func phases() async throws {
        try await Table.run { table in
            let watcher = try await table.hub.client(role: .guest)
            _ = try await watcher.send("hub.subscribe", ["topic": "betting:table-1"])
            let round = try await table.round()
            #expect(round.phase == "betting" && round.number == 1 && round.phaseEndsAt == table.clock.nowMs() + 40_000)
            #expect(try await watcher.expectEvent("betting.round").data["round"]["phase"] == "betting")
            table.clock.advance(ms: 39_999)
            try await table.tick()
            #expect(try await table.module.rounds.current("table-1")?.phase == "betting")
            table.clock.advance(ms: 1)
            try await table.tick()
            let locked = try await watcher.expectEvent("betting.round").data["round"]
            #expect(locked["phase"] == "locked" && locked["phaseEndsAt"].int == round.phaseEndsAt + 10_000)
            table.clock.advance(ms: 10_000)
            try await table.tick()
            let settled = try await watcher.expectEvent("betting.round").data["round"]
            #expect(settled["phase"] == "settled" && settled["result"].int != nil && settled["serverSeed"].string?.count == 64)
            let result = try await watcher.expectEvent("betting.result").data
            #expect(result["roundId"].string == round.id && result["result"] == settled["result"])
            table.clock.advance(ms: 4_999)
            try await table.tick()
            try await watcher.expectNoEvent("betting.round")
            table.clock.advance(ms: 1)
            try await table.tick()
            let next = try await watcher.expectEvent("betting.round").data["round"]
            #expect(next["number"] == 2 && next["phase"] == "betting" && next["commitment"].string != round.commitment)
        }
    }

    @Test("settlement pays the exact payouts once, tells each player, and the seed proves the result") func settlement() async throws {
        try await Table.run { table in
            let alice = try await table.hub.client()
            let bob = try await table.hub.client()
            try await table.fund(alice, "100")
            try await table.fund(bob, "100")
            let round = try await table.round()
            for digit in 0..<10 { _ = try await alice.send("betting.place", Table.bet(round, "number", String(digit), "1.05")) }
            for selection in ["small", "big"] { _ = try await bob.send("betting.place", Table.bet(round, "size", selection, "1.05")) }
            for selection in ["odd", "even"] { _ = try await bob.send("betting.place", Table.bet(round, "parity", selection, "1.04")) }
            table.clock.advance(ms: 40_000)
            try await table.tick()
            table.clock.advance(ms: 10_000)
            try await table.tick()
            let settled = try #require(try await table.module.rounds.current("table-1"))
            let result = try #require(settled.result)
            // anyone can check: the commitment published at the start is SHA-256 of the seed revealed now
            let seed = try #require(ProvablyFair.bytes(hex: settled.serverSeed))
            #expect(ProvablyFair.hex(Array(SHA256.hash(data: seed))) == round.commitment)
            #expect(ProvablyFair.result(seed: seed, roundID: round.id) == result)
            // alice: ten numbers at 1.05, one wins 9 × 1.05 = 9.45
            let aliceEvent = try await alice.expectEvent("betting.settled").data
            #expect(aliceEvent["roundId"].string == round.id && aliceEvent["bets"].array?.count == 10)
            #expect(aliceEvent["balance"] == "98.95")  // 100 − 10.50 + 9.45
            let winners = aliceEvent["bets"].array?.filter { $0["status"] == "won" } ?? []
            #expect(winners.count == 1 && winners.first?["payout"] == "9.45" && winners.first?["selection"].string == String(result))
            // bob: one size bet wins 1.9 × 1.05 = 1.995 → 2.00; one parity bet 1.9 × 1.04 = 1.976 → 1.98
            let bobEvent = try await bob.expectEvent("betting.settled").data
            #expect(bobEvent["balance"] == "99.80")  // 100 − 4.18 + 2.00 + 1.98
            #expect(try await alice.expectEvent("notifications.new").data["notification"]["source"] == "betting")
            // a second settlement of the same round does nothing
            #expect(try await table.module.rounds.settle(round.id, at: table.clock.nowMs(), then: { _, _ in }) == nil)
            #expect(try await table.module.rounds.void(round.id, at: table.clock.nowMs(), then: { _, _ in }) == nil)
            #expect(try await table.module.wallets.balance(of: alice.identity.userID) == Money(minorUnits: 9895))
            try await table.expectSound()
        }
    }

    @Test("a duplicated tick (two clocks at once) changes nothing twice") func duplicatedTicks() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "10")
            let round = try await table.round()
            _ = try await player.send("betting.place", Table.bet(round, "parity", "odd", "1"))
            for advance in [40_000, 10_000, 5_000] {
                table.clock.advance(ms: Int64(advance))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { try await table.tick() } }
                    try await group.waitForAll()
                }
            }
            let rounds = try await table.module.rounds.history("table-1", before: nil, limit: 10)
            #expect(rounds.count == 1)
            #expect(try await table.module.rounds.current("table-1")?.number == 2)
            let ledger = try await table.module.wallets.ledger(of: player.identity.userID, before: nil, limit: 10)
            #expect(ledger.filter { $0.entry.kind == "payout" }.count <= 1)
            try await table.expectSound()
        }
    }

    @Test("a restart resumes a round still on time, and voids and refunds one whose deadline passed") func restart() async throws {
        try await TestDatabase.withRestartable { store in
            let clock = TestClock()
            let (userID, token) = try await Table.run(database: store, clock: clock) { table in
                let player = try await table.hub.client()
                try await table.fund(player, "30")
                let round = try await table.round()
                _ = try await player.send("betting.place", Table.bet(round, "number", "5", "10"))
                _ = try await player.send("betting.place", Table.bet(round, "size", "big", "5"))
                return (player.identity.userID, try await table.hub.hub.tokens.issue(for: player.identity).token)
            }
            // back within the phase: the same round goes on
            clock.advance(ms: 20_000)
            try await Table.run(database: store, clock: clock) { table in
                try await table.tick(recovering: true)
                #expect(try await table.module.rounds.current("table-1")?.phase == "betting")
                #expect(try await table.module.wallets.balance(of: userID) == Money(minorUnits: 1500))
            }
            // back after the deadline: voided, every bet refunded in one transaction, a new round opens
            clock.advance(ms: 30_000)
            try await Table.run(database: store, clock: clock) { table in
                let player = try await table.hub.connect(accessToken: token)
                try await table.tick(recovering: true)
                let settled = try await player.expectEvent("betting.settled").data
                #expect(settled["bets"].array?.allSatisfy { $0["status"] == "refunded" } == true && settled["balance"] == "30.00")
                let voided = try #require(try await table.module.rounds.history("table-1", before: nil, limit: 1).first)
                #expect(voided.phase == "voided" && voided.result == nil && voided.view.serverSeed == nil)
                let current = try #require(try await table.module.rounds.current("table-1"))
                #expect(current.phase == "betting" && current.number == 2)
                #expect(try await table.module.wallets.balance(of: userID) == Money(minorUnits: 3000))
                try await table.expectSound()
            }
        }
    }

    @Test("tables run independently") func tables() async throws {
        try await Table.run { table in
            let one = try await table.round("table-1")
            let two = try await table.round("table-2")
            #expect(one.id != two.id && one.number == 1 && two.number == 1)
            let guest = try await table.hub.client(role: .guest)
            #expect(try await guest.send("hub.subscribe", ["topic": "betting:table-2"]).ok)
            #expect(try await guest.send("hub.subscribe", ["topic": "betting:table-9"]).error?.code == .notFound)
        }
    }
}

import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Betting

@Suite("betting commands")
struct BettingCommandTests {
    @Test("place: the stake is debited, the bet pending, the ledger explains it") func place() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "100")
            let round = try await table.round()
            let reply = try await player.send("betting.place", Table.bet(round, "number", "7", "10.5"))
            #expect(reply.ok, "\(reply)")
            #expect(reply.data["balance"] == "89.50")
            let bet = reply.data["bet"]
            #expect(bet["status"] == "pending" && bet["amount"] == "10.50" && bet["type"] == "number" && bet["selection"] == "7")
            #expect(bet["roundId"].string == round.id && bet["payout"].isNull)
            let state = try await player.send("betting.state", ["table": "table-1"])
            #expect(state.data["round"]["id"].string == round.id && state.data["round"]["phase"] == "betting")
            #expect(state.data["round"]["commitment"].string == round.commitment && state.data["round"]["serverSeed"].isNull)
            #expect(state.data["round"]["phaseEndsAt"].int == round.phaseEndsAt && state.data["serverTime"].int == table.clock.nowMs())
            #expect(state.data["myBets"].array?.count == 1 && state.data["balance"] == "89.50")
            let ledger = try await player.send("betting.ledger", [:]).data["items"]
            #expect(ledger[0]["kind"] == "bet" && ledger[0]["amount"] == "-10.50" && ledger[0]["balanceAfter"] == "89.50")
            #expect(ledger[1]["kind"] == "deposit" && ledger[1]["amount"] == "100.00" && ledger[1]["balanceAfter"] == "100.00")
            try await table.expectSound()
        }
    }

    static let invalid: [(String, JSON, String)] = [
        ("table", "table-9", "table"), ("type", "colour", "type"), ("selection", "12", "selection"),
        ("amount", "5.505", "amount"), ("amount", "5e2", "amount"), ("amount", "-1", "amount"), ("amount", 5, "amount"),
        ("amount", "0.99", "amount"), ("amount", "10000.01", "amount"), ("idempotencyKey", "", "idempotencyKey"),
        ("idempotencyKey", .string(String(repeating: "k", count: 65)), "idempotencyKey"), ("amount", .null, "amount"),
    ]

    @Test("every rule answers validation_failed naming its field, and changes nothing", arguments: invalid)
    func rules(key: String, value: JSON, field: String) async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "50")
            guard case .object(var payload) = Table.bet(try await table.round(), "number", "1", "1.00") else { return }
            payload[key] = value
            let reply = try await player.send("betting.place", .object(payload))
            #expect(reply.error?.code == .validationFailed, "\(reply)")
            #expect(reply.error?.field == field)
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == Money(minorUnits: 5000))
        }
    }

    @Test("conflicts and refusals: wrong round, closed phase, insufficient funds, guests") func refusals() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "5")
            let round = try await table.round()
            var wrong = round
            wrong.id = "no-such-round"
            #expect(try await player.send("betting.place", Table.bet(wrong, "number", "1", "1")).error?.code == .notFound)
            var elsewhere = round
            elsewhere.table = "table-2"
            #expect(try await player.send("betting.place", Table.bet(elsewhere, "number", "1", "1")).error?.code == .notFound)
            let broke = try await player.send("betting.place", Table.bet(round, "size", "big", "5.01"))
            #expect(broke.error?.code == .conflict && broke.error?.message.contains("insufficient funds") == true, "\(String(describing: broke.error))")
            let guest = try await table.hub.client(role: .guest)
            #expect(try await guest.send("betting.place", Table.bet(round, "number", "1", "1")).error?.code == .forbidden)
            table.clock.advance(ms: 40_000)
            let late = try await player.send("betting.place", Table.bet(round, "number", "1", "1"))
            #expect(late.error?.code == .conflict, "the deadline passed before the clock ticked: \(late)")
            try await table.tick()
            #expect(try await player.send("betting.place", Table.bet(round, "number", "1", "1")).error?.code == .conflict)
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == Money(minorUnits: 500))
            try await table.expectSound()
        }
    }

    @Test("an idempotencyKey answers its first bet; under a different bet it is conflict") func idempotency() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "20")
            let round = try await table.round()
            let first = try await player.send("betting.place", Table.bet(round, "parity", "odd", "2", key: "slip-1"))
            let again = try await player.send("betting.place", Table.bet(round, "parity", "odd", "2.00", key: "slip-1"))
            #expect(again.data["bet"]["id"] == first.data["bet"]["id"] && again.data["balance"] == "18.00")
            let changed = try await player.send("betting.place", Table.bet(round, "parity", "odd", "3", key: "slip-1"))
            #expect(changed.error?.code == .conflict)
            // another user may use the same key
            let other = try await table.hub.client()
            try await table.fund(other, "5")
            #expect(try await other.send("betting.place", Table.bet(round, "parity", "odd", "2", key: "slip-1")).ok)
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == Money(minorUnits: 1800))
        }
    }

    @Test("the same key from six connections at once places one bet") func concurrentKey() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "20")
            let round = try await table.round()
            let token = try await table.hub.hub.tokens.issue(for: player.identity).token
            var devices: [TestClient] = []
            for _ in 0..<6 { devices.append(try await table.hub.connect(accessToken: token)) }
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for device in devices {
                    group.addTask { try await device.send("betting.place", Table.bet(round, "number", "3", "4", key: "once")).data["bet"]["id"].string }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1 && ids.first! != nil, "\(ids)")
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == Money(minorUnits: 1600))
            try await table.expectSound()
        }
    }

    @Test("200 concurrent bets never overdraw a wallet of 50.00") func concurrentBets() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "50")
            let round = try await table.round()
            let placement = table.module.placement
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let request = BetPlacement.Request(table: round.table, roundID: round.id, selection: .number(index % 10),
                                                           amount: Money(minorUnits: 100), idempotencyKey: "bet-\(index)")
                        do {
                            _ = try await placement.place(request, by: player.identity.userID)
                            return true
                        } catch let error as HubError where error.code == .conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 50)
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == .zero)
            try await table.expectSound()
        }
    }

    @Test("place is limited to 5 per second per user") func rateLimit() async throws {
        try await Table.run(environment: ["RATE_LIMIT_BETTING_PLACE": "5/1s"]) { table in
            let player = try await table.hub.client()
            try await table.fund(player, "100")
            let round = try await table.round()
            for _ in 0..<5 { #expect(try await player.send("betting.place", Table.bet(round, "number", "1", "1")).ok) }
            let sixth = try await player.send("betting.place", Table.bet(round, "number", "1", "1"))
            #expect(sixth.error?.code == .rateLimited && (sixth.error?.retryAfterMs ?? 0) > 0)
        }
    }

    @Test("adjust: admins credit and debit with a reason, in the ledger; nobody else may") func adjust() async throws {
        try await Table.run { table in
            let admin = try await table.hub.client(role: .admin)
            let player = try await table.hub.client()
            let username = try #require(try await table.module.users.user(id: player.identity.userID)?.username)
            let credit = try await admin.send("betting.adjust", ["username": .string(username), "amount": "12.34", "reason": "goodwill credit"])
            #expect(credit.data["balance"] == "12.34", "\(credit)")
            let told = try await player.expectEvent("betting.wallet").data
            #expect(told["balance"] == "12.34" && told["kind"] == "adjustment")
            #expect(try await admin.send("betting.adjust", ["username": .string(username), "amount": "-2.34", "reason": "correction"]).data["balance"] == "10.00")
            #expect(try await admin.send("betting.adjust", ["username": .string(username), "amount": "-10.01", "reason": "too much"]).error?.code == .conflict)
            #expect(try await admin.send("betting.adjust", ["username": .string(username), "amount": "1", "reason": " "]).error?.field == "reason")
            #expect(try await admin.send("betting.adjust", ["username": .string(username), "amount": "0", "reason": "nothing"]).error?.field == "amount")
            #expect(try await admin.send("betting.adjust", ["username": "nobody-here", "amount": "1", "reason": "who"]).error?.code == .notFound)
            #expect(try await player.send("betting.adjust", ["username": .string(username), "amount": "100", "reason": "free money"]).error?.code == .forbidden)
            let ledger = try await player.send("betting.ledger", [:]).data["items"]
            #expect(ledger[0]["kind"] == "adjustment" && ledger[0]["amount"] == "-2.34" && ledger[0]["reason"] == "correction")
            #expect(ledger.array?.count == 2)
            try await table.expectSound()
        }
    }

    @Test("ledger, myBets and history page by cursor") func paging() async throws {
        try await Table.run { table in
            let player = try await table.hub.client()
            try await table.fund(player, "100")
            for _ in 0..<3 {
                let round = try await table.round()
                for digit in 0..<2 { _ = try await player.send("betting.place", Table.bet(round, "number", String(digit), "1")) }
                table.clock.advance(ms: 40_000)
                try await table.tick()
                table.clock.advance(ms: 10_000)
                try await table.tick()
                table.clock.advance(ms: 5_000)
                try await table.tick()
            }
            let first = try await player.send("betting.myBets", ["limit": 4])
            #expect(first.data["items"].array?.count == 4)
            let second = try await player.send("betting.myBets", ["limit": 4, "before": first.data["nextCursor"]])
            #expect(second.data["items"].array?.count == 2 && second.data["nextCursor"].isNull)
            #expect(try await player.send("betting.myBets", ["table": "table-2"]).data["items"] == [])
            #expect(try await player.send("betting.myBets", ["table": "table-1", "limit": 100]).data["items"].array?.count == 6)
            let history = try await player.send("betting.history", ["table": "table-1", "limit": 2])
            #expect(history.data["items"][0]["number"] == 3 && history.data["items"][1]["number"] == 2)
            let older = try await player.send("betting.history", ["table": "table-1", "limit": 2, "before": history.data["nextCursor"]])
            #expect(older.data["items"].array?.count == 1 && older.data["items"][0]["serverSeed"].string?.count == 64)
            #expect(try await player.send("betting.ledger", ["before": "x"]).error?.field == "before")
            #expect(try await player.send("betting.history", ["table": "table-1", "limit": 0]).error?.field == "limit")
            try await table.expectSound()
        }
    }
}

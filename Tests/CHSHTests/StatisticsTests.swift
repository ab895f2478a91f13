import Foundation
import HubKernel
import HubTesting
import Testing
@testable import CHSH

/// Bots with known strategies play through the server; the dashboard's numbers must match
/// both the physics and an independent computation from the bots' own record.
@Suite("CHSH statistics from bots")
struct StatisticsTests {
    /// The team's line of `chsh.stats`.
    static func line(_ host: TestClient, _ gameID: String) async throws -> JSON {
        let stats = try await host.send("chsh.stats", ["gameId": .string(gameID)])
        #expect(stats.ok, "\(stats)")
        return stats.data["teams"][0]
    }

    /// Equal within 1e-9, or both missing (`null` on the wire, NaN in the independent computation).
    static func same(_ json: JSON, _ expected: Double) -> Bool {
        guard let value = number(json) else { return expected.isNaN }
        return abs(value - expected) < 1e-9
    }

    static func expectMatches(_ line: JSON, _ independent: IndependentStatistics, sourceLocation: SourceLocation = #_sourceLocation) {
        for key in ["AX", "AY", "BX", "BY"] {
            let cell = line["correlations"][key]
            #expect(same(cell["value"], independent.mean(key)), "\(key)", sourceLocation: sourceLocation)
            #expect((cell["n"].int ?? 0) == Int64(independent.cells[key]?.count ?? 0), sourceLocation: sourceLocation)
            #expect(same(cell["stderr"], independent.stderr(key)), "\(key) stderr", sourceLocation: sourceLocation)
        }
        #expect(same(line["chsh"]["value"], independent.s), "\(line)", sourceLocation: sourceLocation)
        #expect(same(line["chsh"]["stderr"], independent.sError), "\(line)", sourceLocation: sourceLocation)
        #expect(same(line["winRate"]["value"], independent.winRate), sourceLocation: sourceLocation)
    }

    @Test("the classical table strategy gives S = 2 and 75 % exactly over the balanced block") func classical() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let (first, second, _) = try await room.pair(game.code, "Table")
            #expect(try await host.send("chsh.start", ["gameId": .string(game.id)]).ok)
            // A→T, B→T, X→T, Y→F for both players
            let played = try await room.play(first, second, rounds: 16) { _, item1, item2 in (item1 != "Y", item2 != "Y") }
            let line = try await Self.line(host, game.id)
            #expect(number(line["chsh"]["value"]) == 2 && number(line["winRate"]["value"]) == 0.75, "\(line)")
            #expect(line["rounds"].int == 16 && line["eligible"] == true)
            for key in ["AX", "AY", "BX", "BY"] { #expect(line["correlations"][key]["n"].int == 4, "the balanced block deals \(key) 4 times") }
            Self.expectMatches(line, IndependentStatistics(played))
        }
    }

    @Test("always agreeing gives E = 1 for every pairing") func alwaysAgree() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let (first, second, _) = try await room.pair(game.code, "Echo")
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            let played = try await room.play(first, second, rounds: 8) { round, _, _ in (round % 2 == 0, round % 2 == 0) }
            let line = try await Self.line(host, game.id)
            for key in ["AX", "AY", "BX", "BY"] where line["correlations"].has(key) {
                #expect(number(line["correlations"][key]["value"]) == 1, "\(key): \(line)")
            }
            #expect(line["eligible"] == false, "8 rounds are not past the first balanced block of 16")
            Self.expectMatches(line, IndependentStatistics(played))
        }
    }

    /// Whether the `k`-th round (from 0) of a pairing agrees, for a source that agrees with
    /// probability `p`: a Beatty sequence, so after n rounds the share that agreed is within
    /// 1/n of p whatever order the server deals in (pseudo-random draws would make the test
    /// fail now and then by chance, and the dealing order is the server's).
    static func agrees(_ k: Int, _ p: Double) -> Bool { Int(Double(k + 1) * p) > Int(Double(k) * p) }

    @Test("uncorrelated answers give S near 0 and a simulated quantum source S ≈ 2√2, each within 3 standard errors")
    func uncorrelatedAndQuantum() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let (r1, r2, _) = try await room.pair(game.code, "Coins")
            let (q1, q2, quantumID) = try await room.pair(game.code, "Photons")
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            var random = SplitMix64(state: 42)
            var coinCells: [String: Int] = [:]
            let coins = try await room.play(r1, r2, rounds: 160) { _, item1, item2 in
                // the first answer is a coin; the second agrees with it half the time in every pairing
                let first = Bool.random(using: &random)
                let k = coinCells[item1 + item2, default: 0]
                coinCells[item1 + item2] = k + 1
                return (first, Self.agrees(k, 0.5) ? first : !first)
            }
            let angle = ["A": 0.0, "B": Double.pi / 2, "X": Double.pi / 4, "Y": -Double.pi / 4]
            var photonCells: [String: Int] = [:]
            let photons = try await room.play(q1, q2, rounds: 160) { _, item1, item2 in
                // |Φ+⟩ measured at these angles: the outcomes agree with probability (1 + cos(θ1 − θ2)) / 2
                let first = Bool.random(using: &random)
                let k = photonCells[item1 + item2, default: 0]
                photonCells[item1 + item2] = k + 1
                return (first, Self.agrees(k, (1 + cos(angle[item1]! - angle[item2]!)) / 2) ? first : !first)
            }
            let stats = try await host.send("chsh.stats", ["gameId": .string(game.id)])
            let lines = try #require(stats.data["teams"].array)
            let coinLine = try #require(lines.first { $0["name"] == "Coins" })
            let photonLine = try #require(lines.first { $0["teamId"].string == quantumID })
            Self.expectMatches(coinLine, IndependentStatistics(coins))
            Self.expectMatches(photonLine, IndependentStatistics(photons))
            let coinS = try #require(number(coinLine["chsh"]["value"])), coinError = try #require(number(coinLine["chsh"]["stderr"]))
            #expect(abs(coinS) < 3 * coinError, "uncorrelated: S = \(coinS) ± \(coinError)")
            let quantumS = try #require(number(photonLine["chsh"]["value"])), quantumError = try #require(number(photonLine["chsh"]["stderr"]))
            #expect(abs(quantumS - 2 * 2.0.squareRoot()) < 3 * quantumError, "quantum: S = \(quantumS) ± \(quantumError)")
            #expect(quantumS > 2, "the simulated source beats the classical bound: \(quantumS)")
            // the whole game pools both teams
            #expect(stats.data["overall"]["rounds"].int == 320)
            Self.expectMatches(stats.data["overall"], IndependentStatistics(coins + photons))
            #expect(stats.data["leaderboard"] == [.string(quantumID), coinLine["teamId"]], "ranked by win rate")
            #expect(number(stats.data["bounds"]["quantum"]["chsh"]) == 2 * 2.0.squareRoot() && number(stats.data["bounds"]["classical"]["winRate"]) == 0.75)
        }
    }

    @Test("orientation-averaged S keeps a classical strategy at 2 when classic mode deals orientations unevenly")
    func orientations() {
        // both players use the table A→T B→T X→T Y→F, whichever slot asks what
        var tally = Tally()
        func add(_ a: Item, _ b: Item, _ agreed: Bool, _ count: Int) { tally.add(Pairing(first: a, second: b), agreed: agreed, count: count) }
        // orientation 1 (slot 1 asks A/B): a perfect classical CHSH pattern, S₁ = 2
        add(.a, .x, true, 10); add(.a, .y, false, 10); add(.b, .x, true, 10); add(.b, .y, false, 10)
        // orientation 2, dealt three times as often: S₂ = 2 as well
        add(.x, .a, true, 30); add(.y, .a, false, 30); add(.x, .b, true, 30); add(.y, .b, false, 30)
        #expect(CHSHStatistics(tally, mode: .classic).chsh.value == 2)
        var skewed = Tally()
        skewed.add(Pairing(first: .a, second: .x), agreed: true, count: 5)
        #expect(CHSHStatistics(skewed, mode: .classic).chsh.value == nil, "no orientation has all four pairings")
        #expect(CHSHStatistics(tally, mode: .classic).consistency?.n == 0)
    }
}

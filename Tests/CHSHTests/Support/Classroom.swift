import Foundation
import HubKernel
import HubTesting
import Testing
@testable import CHSH

/// A CHSH game on a test hub: a host, and teams of two guests playing with known strategies.
struct Classroom {
    static let environment = ["RATE_LIMIT_CHSH_ANSWER": "off", "RATE_LIMIT_CHSH_STATE": "off"]

    let hub: TestHub
    let clock: TestClock
    let module: CHSHModule

    @discardableResult
    static func run<T: Sendable>(_ mode: TestHub.Mode = .inProcess, environment: [String: String] = [:],
                                 _ body: @Sendable (Classroom) async throws -> T) async throws -> T {
        let clock = TestClock()
        return try await TestHub.run(modules: [CHSHModule.self], mode, environment: Self.environment.merging(environment) { $1 }, clock: clock) { hub in
            let module = try #require(hub.hub.modules.compactMap { $0 as? CHSHModule }.first)
            return try await body(Classroom(hub: hub, clock: clock, module: module))
        }
    }

    /// A game created by `host`: its id and join code.
    func game(by host: TestClient, mode: String = "simplified") async throws -> (id: String, code: String) {
        let reply = try await host.send("chsh.createGame", ["mode": .string(mode)])
        #expect(reply.ok, "\(reply)")
        return (try #require(reply.data["game"]["id"].string), try #require(reply.data["game"]["joinCode"].string))
    }

    /// Two guests in the game, in team `name` (the first holds slot 1).
    func pair(_ code: String, _ name: String) async throws -> (TestClient, TestClient, teamID: String) {
        let first = try await hub.client(role: .guest, name: "\(name) one")
        let second = try await hub.client(role: .guest, name: "\(name) two")
        let gameID = try #require(try await first.send("chsh.joinGame", ["joinCode": .string(code)]).data["gameId"].string)
        #expect(try await second.send("chsh.joinGame", ["joinCode": .string(code.lowercased())]).ok)
        let created = try await first.send("chsh.createTeam", ["gameId": .string(gameID), "name": .string(name)])
        #expect(created.ok, "\(created)")
        let joined = try await second.send("chsh.joinTeam", ["gameId": .string(gameID), "name": .string(name.uppercased())])
        #expect(joined.data["team"]["members"].array?.count == 2, "\(joined)")
        return (first, second, try #require(joined.data["team"]["id"].string))
    }

    /// One round as the bots saw it.
    struct PlayedRound: Sendable {
        var items: (String, String)
        var answers: (Bool, Bool)
    }

    /// Plays `rounds` rounds: each player waits for its question; `strategy` answers for both
    /// from both items (a simulated shared source may look at both, a local strategy must not).
    func play(_ first: TestClient, _ second: TestClient, rounds: Int,
              strategy: (_ round: Int, _ item1: String, _ item2: String) -> (Bool, Bool)) async throws -> [PlayedRound] {
        var played: [PlayedRound] = []
        for number in 1...rounds {
            let q1 = try await first.expectEvent("chsh.question")
            let q2 = try await second.expectEvent("chsh.question")
            #expect(q1.data["roundNumber"].int == Int64(number) && q1.data["roundId"] == q2.data["roundId"])
            let item1 = try #require(q1.data["item"].string), item2 = try #require(q2.data["item"].string)
            let (a1, a2) = strategy(number, item1, item2)
            let roundID = q1.data["roundId"]
            let reply1 = try await first.send("chsh.answer", ["roundId": roundID, "answer": .bool(a1)])
            #expect(reply1.ok && reply1.data["complete"] == false, "\(reply1)")
            let reply2 = try await second.send("chsh.answer", ["roundId": roundID, "answer": .bool(a2)])
            #expect(reply2.ok && reply2.data["complete"] == true, "\(reply2)")
            let done = try await first.expectEvent("chsh.roundComplete")
            #expect(done.data["items"] == [.string(item1), .string(item2)] && done.data["answers"] == [.bool(a1), .bool(a2)])
            _ = try await second.expectEvent("chsh.roundComplete")
            played.append(PlayedRound(items: (item1, item2), answers: (a1, a2)))
        }
        return played
    }
}

/// A number from a reply (JSON encodes 2.0 as 2).
func number(_ json: JSON) -> Double? {
    switch json {
    case .int(let value): Double(value)
    case .double(let value): value
    default: nil
    }
}

/// A small deterministic generator, so a statistical test fails the same way every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The statistics recomputed from the bots' own record, with none of the module's code.
struct IndependentStatistics {
    var cells: [String: [Double]] = [:]
    var wins = 0, chshRounds = 0

    init(_ rounds: [Classroom.PlayedRound]) {
        for round in rounds {
            let outcome: Double = round.answers.0 == round.answers.1 ? 1 : -1
            cells[round.items.0 + round.items.1, default: []].append(outcome)
            let sides = Set([round.items.0, round.items.1])
            guard ["A", "B"].contains(round.items.0) != ["A", "B"].contains(round.items.1) else { continue }
            chshRounds += 1
            let differ = round.answers.0 != round.answers.1
            if differ == (sides == ["B", "Y"]) { wins += 1 }
        }
    }

    func mean(_ key: String) -> Double { cells[key].map { $0.reduce(0, +) / Double($0.count) } ?? .nan }

    /// The sample standard deviation over √n.
    func stderr(_ key: String) -> Double {
        guard let values = cells[key], values.count > 1 else { return .nan }
        let m = mean(key)
        let variance = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
        return (variance / Double(values.count)).squareRoot()
    }

    var s: Double { mean("AX") + mean("AY") + mean("BX") - mean("BY") }
    var sError: Double { ["AX", "AY", "BX", "BY"].map { stderr($0) * stderr($0) }.reduce(0, +).squareRoot() }
    var winRate: Double { Double(wins) / Double(chshRounds) }
}

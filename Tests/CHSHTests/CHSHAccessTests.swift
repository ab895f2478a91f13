import Foundation
import HubKernel
import HubTesting
import Testing
@testable import CHSH

/// The paths around the game's main flow: closed games, players who never joined, teams
/// reactivated by joining, what admins may see, and the rate limits.
@Suite("CHSH access")
struct CHSHAccessTests {
    @Test("a closed game refuses new teams, seats and mode changes, and changes nothing") func closedGame() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            let (first, _, _) = try await room.pair(game.code, "Before")
            let latecomer = try await room.hub.client(role: .guest)
            _ = try await latecomer.send("chsh.joinGame", ["joinCode": .string(game.code)])
            _ = try await first.send("chsh.leaveTeam", ["gameId": id])
            #expect(try await host.send("chsh.closeGame", ["gameId": id]).data["game"]["state"] == "closed")
            let created = try await latecomer.send("chsh.createTeam", ["gameId": id, "name": "After"])
            #expect(created.error?.code == .conflict && created.error?.message.contains("closed") == true, "\(created)")
            #expect(try await latecomer.send("chsh.joinTeam", ["gameId": id, "name": "Before"]).error?.code == .conflict)
            #expect(try await first.send("chsh.createTeam", ["gameId": id, "name": "before"]).error?.code == .conflict)
            #expect(try await host.send("chsh.setMode", ["gameId": id, "mode": "classic"]).error?.code == .conflict)
            let teams = try await room.module.store.teams(of: game.id)
            #expect(teams.map(\.name) == ["Before"] && teams[0].members.count == 1, "no team created, no one seated")
            #expect(try await room.module.store.game(id: game.id)?.mode == .simplified)
            #expect(try await latecomer.send("chsh.state", ["gameId": id]).data["game"]["state"] == "closed", "the connection stays open")
        }
    }

    @Test("team commands before joining the game are not_found, and create nothing") func notJoined() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            _ = try await room.pair(game.code, "Members")
            let stranger = try await room.hub.client(role: .guest)
            for (command, data) in [("chsh.createTeam", ["gameId": id, "name": "Gatecrashers"]), ("chsh.joinTeam", ["gameId": id, "name": "Members"]),
                                    ("chsh.leaveTeam", ["gameId": id]), ("chsh.state", ["gameId": id])] as [(String, JSON)] {
                let reply = try await stranger.send(command, data)
                #expect(reply.error?.code == .notFound && reply.error?.message.contains("join") == true, "\(command): \(reply)")
            }
            #expect(try await stranger.send("chsh.createTeam", ["gameId": "no-such-game", "name": "X"]).error?.code == .notFound)
            #expect(try await room.module.store.teams(of: game.id).map(\.name) == ["Members"])
            #expect(try await room.module.store.player(in: game.id, user: stranger.identity.userID) == nil)
        }
    }

    @Test("joining an inactive team by name reactivates it with its history, and a full pair is dealt a question")
    func reactivateByJoin() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            let (first, second, teamID) = try await room.pair(game.code, "Phoenix")
            _ = try await host.send("chsh.start", ["gameId": id])
            _ = try await room.play(first, second, rounds: 2) { _, _, _ in (true, true) }
            _ = try await first.expectEvent("chsh.question")
            _ = try await second.expectEvent("chsh.question")
            _ = try await first.send("chsh.leaveTeam", ["gameId": id])
            #expect(try await second.send("chsh.leaveTeam", ["gameId": id]).data["team"]["status"] == "inactive")
            let (third, fourth) = (try await room.hub.client(role: .guest), try await room.hub.client(role: .guest))
            for player in [third, fourth] { _ = try await player.send("chsh.joinGame", ["joinCode": .string(game.code)]) }
            let joined = try await third.send("chsh.joinTeam", ["gameId": id, "name": "phoenix"])
            #expect(joined.data["team"]["id"].string == teamID && joined.data["team"]["status"] == "active", "\(joined)")
            #expect(joined.data["team"]["members"].array?.map { $0["slot"] } == [1])
            _ = try await fourth.send("chsh.joinTeam", ["gameId": id, "name": "PHOENIX"])
            let question = try await third.expectEvent("chsh.question")
            #expect(question.data["roundNumber"] == 3, "the open round 3 goes on with the new pair: \(question)")
            let line = try await host.send("chsh.stats", ["gameId": id]).data["teams"][0]
            #expect(line["rounds"] == 2 && line["status"] == "active", "\(line)")
        }
    }

    @Test("admins list every game and watch any dashboard; players list none") func admins() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let otherHost = try await room.hub.client(role: .host)
            let admin = try await room.hub.client(role: .admin)
            let mine = try await room.game(by: host)
            let theirs = try await room.game(by: otherHost)
            let listed = try await admin.send("chsh.games", [:]).data["items"].array?.compactMap { $0["id"].string } ?? []
            #expect(Set(listed) == [mine.id, theirs.id])
            #expect(try await host.send("chsh.games", [:]).data["items"].array?.compactMap { $0["id"].string } == [mine.id])
            let player = try await room.hub.client(role: .guest)
            #expect(try await player.send("chsh.games", [:]).error?.code == .forbidden)
            let stats = try await admin.send("chsh.stats", ["gameId": .string(theirs.id)])
            #expect(stats.data["game"]["id"].string == theirs.id, "\(stats)")
            #expect(try await admin.send("hub.subscribe", ["topic": .string("chsh:\(theirs.id):dashboard")]).ok)
            _ = try await otherHost.send("chsh.start", ["gameId": .string(theirs.id)])
            room.module.throttle.changed(theirs.id)
            await room.module.feed.publishDue()
            let pushed = try await admin.expectEvent("chsh.dashboard", on: "chsh:\(theirs.id):dashboard")
            #expect(pushed.data["game"]["state"] == "running")
        }
    }

    @Test("chsh.joinGame is limited per user; the refusal says when to retry") func rateLimit() async throws {
        try await Classroom.run(environment: ["RATE_LIMIT_CHSH_JOIN_GAME": "3/1s"]) { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let player = try await room.hub.client(role: .guest)
            for _ in 0..<3 { #expect(try await player.send("chsh.joinGame", ["joinCode": .string(game.code)]).ok) }
            let fourth = try await player.send("chsh.joinGame", ["joinCode": .string(game.code)])
            #expect(fourth.error?.code == .rateLimited && (fourth.error?.retryAfterMs ?? 0) > 0, "\(fourth)")
            #expect(try await player.send("chsh.state", ["gameId": .string(game.id)]).ok, "other commands and the connection go on")
        }
    }
}

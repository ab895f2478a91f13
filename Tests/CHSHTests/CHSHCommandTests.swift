import Foundation
import HubKernel
import HubTesting
import Testing
@testable import CHSH

@Suite("CHSH commands")
struct CHSHCommandTests {
    @Test("a game from lobby to rounds: questions to each player only, the outcome to both, the next round dealt") func flow() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            #expect(game.code.count == 6)
            let (first, second, teamID) = try await room.pair(game.code, "Qubits")
            let bystander = try await room.hub.client(role: .guest)
            #expect(try await bystander.send("chsh.joinGame", ["joinCode": .string(game.code)]).ok)
            try await first.expectNoEvent("chsh.question")
            let started = try await host.send("chsh.start", ["gameId": .string(game.id)])
            #expect(started.data["game"]["state"] == "running")
            _ = try await bystander.expectEvent("chsh.game", on: "chsh:\(game.id)")
            let q1 = try await first.expectEvent("chsh.question", on: "user:\(first.identity.userID)")
            let q2 = try await second.expectEvent("chsh.question")
            #expect(["A", "B"].contains(q1.data["item"].string ?? "") && ["X", "Y"].contains(q2.data["item"].string ?? ""))
            #expect(q1.data["teamId"].string == teamID && q1.data["roundNumber"] == 1 && q1.data["gameId"].string == game.id)
            try await bystander.expectNoEvent("chsh.question")
            // the host starting again changes nothing and deals nothing
            #expect(try await host.send("chsh.start", ["gameId": .string(game.id)]).ok)
            try await first.expectNoEvent("chsh.question", settle: .milliseconds(50))
            _ = try await first.send("chsh.answer", ["roundId": q1.data["roundId"], "answer": true])
            _ = try await second.send("chsh.answer", ["roundId": q1.data["roundId"], "answer": false])
            let done = try await second.expectEvent("chsh.roundComplete")
            #expect(done.data["items"] == [q1.data["item"], q2.data["item"]] && done.data["answers"] == [true, false])
            #expect(done.data["won"].bool == ((q1.data["item"] == "B" && q2.data["item"] == "Y")))
            #expect(try await first.expectEvent("chsh.question").data["roundNumber"] == 2)
        }
    }

    @Test("a reload resumes the same player, team and open question") func resume() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let (first, second, teamID) = try await room.pair(game.code, "Reloaders")
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            let question = try await first.expectEvent("chsh.question")
            _ = try await second.expectEvent("chsh.question")
            _ = try await first.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            let playerID = try await first.send("chsh.state", ["gameId": .string(game.id)]).data["playerId"]
            await first.close()
            // the same guest token on a new socket, as a reloaded page has
            let again = try await room.hub.connect(accessToken: first.accessToken)
            let state = try await again.send("chsh.state", ["gameId": .string(game.id)])
            #expect(state.data["playerId"] == playerID && state.data["team"]["id"].string == teamID, "\(state)")
            #expect(state.data["question"]["roundId"] == question.data["roundId"] && state.data["question"]["item"] == question.data["item"])
            #expect(state.data["question"]["answered"] == true && state.data["game"]["state"] == "running")
            #expect(state.data["team"]["members"].array?.allSatisfy { $0["present"] == true } == true)
            let rejoin = try await again.send("chsh.joinGame", ["joinCode": .string(game.code)])
            #expect(rejoin.data["playerId"] == playerID, "joining again is the same player")
            let secondAnswer = try await second.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            #expect(secondAnswer.data["complete"] == true)
            _ = try await again.expectEvent("chsh.roundComplete")
        }
    }

    @Test("teams: trimmed names, case-insensitive uniqueness, slots, leave, reactivation with history") func teams() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            let (first, second, teamID) = try await room.pair(game.code, "  Red Team ")
            let third = try await room.hub.client(role: .guest)
            _ = try await third.send("chsh.joinGame", ["joinCode": .string(game.code)])
            #expect(try await third.send("chsh.createTeam", ["gameId": id, "name": "red team"]).error?.code == .conflict)
            let full = try await third.send("chsh.joinTeam", ["gameId": id, "name": "Red Team"])
            #expect(full.error?.code == .conflict && full.error?.message.contains("full") == true)
            #expect(try await third.send("chsh.joinTeam", ["gameId": id, "name": "Blue"]).error?.code == .notFound)
            #expect(try await first.send("chsh.createTeam", ["gameId": id, "name": "Other"]).error?.code == .conflict, "one team per player")
            let members = try await first.send("chsh.createTeam", ["gameId": id, "name": "RED TEAM"]).data["team"]["members"]
            #expect(members.array?.map { $0["slot"] } == [1, 2], "creating your own team again is a no-op")
            // play a round so the team has history
            _ = try await host.send("chsh.start", ["gameId": id])
            let question = try await first.expectEvent("chsh.question")
            _ = try await second.expectEvent("chsh.question")
            _ = try await first.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            _ = try await second.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            let left = try await first.send("chsh.leaveTeam", ["gameId": id])
            #expect(left.data["team"]["status"] == "active" && left.data["team"]["members"].array?.count == 1)
            #expect(try await first.send("chsh.leaveTeam", ["gameId": id]).error?.code == .conflict)
            let empty = try await second.send("chsh.leaveTeam", ["gameId": id])
            #expect(empty.data["team"]["status"] == "inactive" && empty.data["team"]["members"] == [])
            let revived = try await third.send("chsh.createTeam", ["gameId": id, "name": "red TEAM"])
            #expect(revived.data["team"]["id"].string == teamID && revived.data["team"]["name"] == "Red Team" && revived.data["team"]["status"] == "active")
            let line = try await host.send("chsh.stats", ["gameId": id]).data["teams"][0]
            #expect(line["rounds"] == 1, "the reactivated team keeps its history: \(line)")
        }
    }

    static let badNames: [JSON] = ["", "   ", .string(String(repeating: "x", count: 41)), "tab\there", "bell\u{7}", 7, .null]

    @Test("a bad team name is validation_failed naming name, and changes nothing", arguments: badNames)
    func badName(name: JSON) async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let player = try await room.hub.client(role: .guest)
            _ = try await player.send("chsh.joinGame", ["joinCode": .string(game.code)])
            let reply = try await player.send("chsh.createTeam", ["gameId": .string(game.id), "name": name])
            #expect(reply.error?.code == .validationFailed && reply.error?.field == "name", "\(reply)")
            #expect(try await room.module.store.teams(of: game.id).isEmpty)
            #expect(try await player.send("chsh.state", ["gameId": .string(game.id)]).ok, "the connection stays open")
        }
    }

    @Test("a 40-character name of combining characters fits the database") func longName() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let player = try await room.hub.client(role: .guest)
            _ = try await player.send("chsh.joinGame", ["joinCode": .string(game.code)])
            let name = String(repeating: "e\u{301}", count: 20)
            #expect(try await player.send("chsh.createTeam", ["gameId": .string(game.id), "name": .string(name)]).ok)
            let longer = String(repeating: "e\u{301}", count: 21)
            #expect(try await player.send("chsh.createTeam", ["gameId": .string(game.id), "name": .string(longer)]).error?.code == .validationFailed)
        }
    }

    @Test("answers: the current round only, once, while running, with the teammate here, a boolean") func answerRules() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            let (first, second, _) = try await room.pair(game.code, "Rules")
            #expect(try await host.send("chsh.pause", ["gameId": id]).error?.code == .conflict, "pausing a game that has not started")
            _ = try await host.send("chsh.start", ["gameId": id])
            let round1 = try await first.expectEvent("chsh.question").data["roundId"]
            _ = try await second.expectEvent("chsh.question")
            let notBool = try await first.send("chsh.answer", ["roundId": round1, "answer": "true"])
            #expect(notBool.error?.code == .validationFailed && notBool.error?.field == "answer", "\(notBool)")
            #expect(try await first.send("chsh.answer", ["roundId": "no-such-round", "answer": true]).error?.code == .notFound)
            let outsider = try await room.hub.client(role: .guest)
            _ = try await outsider.send("chsh.joinGame", ["joinCode": .string(game.code)])
            #expect(try await outsider.send("chsh.answer", ["roundId": round1, "answer": true]).error?.code == .notFound)
            _ = try await host.send("chsh.pause", ["gameId": id])
            let paused = try await first.send("chsh.answer", ["roundId": round1, "answer": true])
            #expect(paused.error?.code == .conflict && paused.error?.message.contains("paused") == true)
            _ = try await host.send("chsh.resume", ["gameId": id])
            #expect(try await first.send("chsh.answer", ["roundId": round1, "answer": true]).ok)
            #expect(try await first.send("chsh.answer", ["roundId": round1, "answer": false]).error?.code == .conflict, "answering twice")
            _ = try await second.send("chsh.answer", ["roundId": round1, "answer": true])
            let round2 = try await first.expectEvent("chsh.question").data["roundId"]
            _ = try await second.expectEvent("chsh.question")
            #expect(try await first.send("chsh.answer", ["roundId": round1, "answer": true]).error?.code == .conflict, "the previous round")
            await second.close()
            try await Task.sleep(for: .milliseconds(100))
            let alone = try await first.send("chsh.answer", ["roundId": round2, "answer": true])
            #expect(alone.error?.code == .conflict && alone.error?.message.contains("teammate") == true, "\(alone)")
            // nothing was stored by the refusals: round 1 holds exactly the two answers
            let answers = try await room.module.store.answers(of: game.id)
            #expect(answers.count == 2 && answers.allSatisfy { $0.answer })
        }
    }

    @Test("host controls: host or admin only, idempotent; reset clears rounds and keeps teams; mode fixed once rounds exist")
    func hostControls() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let otherHost = try await room.hub.client(role: .host)
            let admin = try await room.hub.client(role: .admin)
            let game = try await room.game(by: host)
            let id = JSON.string(game.id)
            let (first, second, _) = try await room.pair(game.code, "Controls")
            for command in ["chsh.start", "chsh.pause", "chsh.resume", "chsh.reset", "chsh.closeGame", "chsh.stats"] {
                #expect(try await first.send(command, ["gameId": id]).error?.code == .forbidden, "\(command) by a player")
                #expect(try await otherHost.send(command, ["gameId": id]).error?.code == .forbidden, "\(command) by another game's host")
            }
            #expect(try await first.send("chsh.createGame", [:]).error?.code == .forbidden, "guests do not host")
            #expect(try await first.send("chsh.setMode", ["gameId": id, "mode": "classic"]).error?.code == .forbidden)
            #expect(try await host.send("chsh.setMode", ["gameId": id, "mode": "quantum"]).error?.field == "mode")
            #expect(try await host.send("chsh.setMode", ["gameId": id, "mode": "classic"]).data["game"]["mode"] == "classic")
            #expect(try await admin.send("chsh.start", ["gameId": id]).data["game"]["state"] == "running", "an admin may run any game")
            let question = try await first.expectEvent("chsh.question")
            _ = try await second.expectEvent("chsh.question")
            #expect(try await host.send("chsh.setMode", ["gameId": id, "mode": "simplified"]).error?.code == .conflict)
            #expect(try await host.send("chsh.pause", ["gameId": id]).data["game"]["state"] == "paused")
            #expect(try await host.send("chsh.pause", ["gameId": id]).data["game"]["state"] == "paused", "pause is idempotent")
            _ = try await first.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            let reset = try await host.send("chsh.reset", ["gameId": id])
            #expect(reset.data["game"]["state"] == "lobby")
            #expect(try await first.expectEvent("chsh.game").data["game"]["state"] == "lobby")
            let state = try await first.send("chsh.state", ["gameId": id])
            #expect(state.data["question"].isNull && state.data["team"]["members"].array?.count == 2, "teams stay, rounds go")
            #expect(try await host.send("chsh.setMode", ["gameId": id, "mode": "simplified"]).ok, "after a reset the mode may change")
            _ = try await host.send("chsh.start", ["gameId": id])
            #expect(try await first.expectEvent("chsh.question").data["roundNumber"] == 1, "numbering starts again")
            let closed = try await host.send("chsh.closeGame", ["gameId": id])
            #expect(closed.data["game"]["state"] == "closed")
            #expect(try await host.send("chsh.closeGame", ["gameId": id]).ok)
            #expect(try await host.send("chsh.start", ["gameId": id]).error?.code == .conflict)
            let late = try await room.hub.client(role: .guest)
            #expect(try await late.send("chsh.joinGame", ["joinCode": .string(game.code)]).error?.code == .conflict, "a closed game")
            #expect(try await late.send("chsh.joinGame", ["joinCode": "ZZZZZZ"]).error?.code == .notFound, "an unknown code")
            #expect(try await late.send("chsh.joinGame", ["joinCode": "no"]).error?.field == "joinCode")
            #expect(try await host.send("chsh.games", [:]).data["items"][0]["id"] == id)
        }
    }

    @Test("topics: the game's to its players and host, the dashboard to its host only") func topics() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let player = try await room.hub.client(role: .guest)
            let stranger = try await room.hub.client(role: .guest)
            #expect(try await stranger.send("hub.subscribe", ["topic": .string("chsh:\(game.id)")]).error?.code == .forbidden)
            _ = try await player.send("chsh.joinGame", ["joinCode": .string(game.code)])
            #expect(try await player.send("hub.subscribe", ["topic": .string("chsh:\(game.id)")]).ok)
            #expect(try await player.send("hub.subscribe", ["topic": .string("chsh:\(game.id):dashboard")]).error?.code == .forbidden)
            #expect(try await host.send("hub.subscribe", ["topic": .string("chsh:\(game.id):dashboard")]).ok)
            #expect(try await host.send("hub.subscribe", ["topic": "chsh:nope"]).error?.code == .notFound)
        }
    }
}

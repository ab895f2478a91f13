import Foundation
import HubKernel
import HubTesting
import Logging
import NIOCore
import SQLKit
import Synchronization
import Testing
@testable import CHSH
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Counts the statements run through it.
final class CountingSQL: SQLDatabase, Sendable {
    let base: any SQLDatabase
    let statements = Atomic<Int>(0)
    init(_ base: any SQLDatabase) { self.base = base }
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        statements.add(1, ordering: .relaxed)
        return base.execute(sql: query, onRow)
    }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        statements.add(1, ordering: .relaxed)
        try await base.execute(sql: query, onRow)
    }
    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await base.withSession(closure) }
}

@Suite("CHSH dashboard")
struct DashboardTests {
    @Test("the throttle sends at once, holds changes inside the window, then sends the trailing one") func throttle() {
        let throttle = DashboardThrottle(maxHz: 4)
        #expect(throttle.intervalMs == 250)
        #expect(throttle.due(at: 1000).isEmpty)
        throttle.changed("g")
        #expect(throttle.due(at: 1000) == ["g"])
        throttle.changed("g")
        throttle.changed("g")
        #expect(throttle.due(at: 1100).isEmpty && throttle.due(at: 1249).isEmpty, "inside the window")
        #expect(throttle.due(at: 1250) == ["g"], "the trailing update")
        #expect(throttle.due(at: 1600).isEmpty && throttle.pending == 0, "nothing changed since")
    }

    @Test("chsh.dashboard reaches the host at most dashboardMaxHz times a second and never stays stale") func feed() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let feed = room.module.feed
            let (first, second, _) = try await room.pair(game.code, "Live")
            await feed.publishDue()
            let initial = try await host.expectEvent("chsh.dashboard", on: "chsh:\(game.id):dashboard")
            #expect(initial.data["teams"][0]["name"] == "Live" && initial.data["playersPresent"] == 2)
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            let question = try await first.expectEvent("chsh.question")
            _ = try await second.expectEvent("chsh.question")
            _ = try await first.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            _ = try await second.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            await feed.publishDue()
            try await host.expectNoEvent("chsh.dashboard", settle: .milliseconds(50))
            room.clock.advance(ms: 250)
            await feed.publishDue()
            let trailing = try await host.expectEvent("chsh.dashboard")
            #expect(trailing.data["teams"][0]["rounds"] == 1 && trailing.data["game"]["state"] == "running", "\(trailing)")
            await second.close()
            try await Task.sleep(for: .milliseconds(100))
            room.clock.advance(ms: 250)
            await feed.publishDue()
            #expect(try await host.expectEvent("chsh.dashboard").data["playersPresent"] == 1, "a player leaving shows")
        }
    }

    @Test("the dashboard costs the same six statements for one team or twelve") func queries() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let builder = room.module.builder
            func statements() async throws -> Int {
                try await room.module.store.database.withConnection { sql in
                    let counting = CountingSQL(sql)
                    _ = try await builder.build(game.id, on: counting)
                    return counting.statements.load(ordering: .relaxed)
                }
            }
            _ = try await room.pair(game.code, "Team 0")
            let few = try await statements()
            for index in 1..<12 { _ = try await room.pair(game.code, "Team \(index)") }
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            #expect(try await statements() == few && few == 6, "\(few) statements")
            #expect(try await host.send("chsh.stats", ["gameId": .string(game.id)]).data["teams"].array?.count == 12)
        }
    }

    @Test("export.csv: the host gets one row per answer in UTC ISO-8601; others are refused") func export() async throws {
        try await Classroom.run(.live) { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host)
            let (first, second, _) = try await room.pair(game.code, "=SUM(A1), \"quoted\"")
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            let question = try await first.expectEvent("chsh.question")
            let item2 = try await second.expectEvent("chsh.question").data["item"]
            _ = try await first.send("chsh.answer", ["roundId": question.data["roundId"], "answer": true])
            _ = try await second.send("chsh.answer", ["roundId": question.data["roundId"], "answer": false])
            func get(_ token: String?, game gameID: String = game.id) async throws -> (Int, String, String) {
                var request = URLRequest(url: URL(string: room.hub.baseURL! + "/chsh/games/\(gameID)/export.csv")!)
                if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
                let session = URLSession(configuration: .ephemeral)
                defer { session.finishTasksAndInvalidate() }
                let (data, response) = try await session.data(for: request)
                let http = response as! HTTPURLResponse
                return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
            }
            let (status, type, body) = try await get(host.accessToken)
            #expect(status == 200 && type.hasPrefix("text/csv"))
            let lines = body.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 3 && lines[0] == AnswerExport.header, "\(body)")
            let stamp = AnswerExport.timestamp(room.clock.nowMs())
            #expect(lines[1].hasPrefix("\(stamp),\(game.id),") && stamp.hasSuffix("Z"))
            #expect(lines[1].contains(",\"'=SUM(A1), \"\"quoted\"\"\","), "a formula defused and quoted: \(lines[1])")
            #expect(lines[1].hasSuffix(",\(question.data["item"].string!),true") && lines[2].hasSuffix(",\(item2.string!),false"))
            #expect(lines[1].contains(",1,") && lines[2].contains(",2,"), "the slot of each answer")
            #expect(try await get(first.accessToken).0 == 403)
            #expect(try await get(nil).0 == 401)
            let otherHost = try await room.hub.client(role: .host)
            #expect(try await get(otherHost.accessToken).0 == 403)
            #expect(try await get(host.accessToken, game: "no-such-game").0 == 404)
        }
    }
}

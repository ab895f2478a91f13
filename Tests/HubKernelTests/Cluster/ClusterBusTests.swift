import Foundation
import Testing
import HubTesting
import SQLKit
@testable import HubKernel

/// Two nodes in one process on one PostgreSQL schema: the cluster bus's guarantees, checked
/// quickly. The same guarantees across real processes (kill -9, restarts) are checked by
/// `scripts/cluster_test.py`.
@Suite("Cluster bus on PostgreSQL", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct ClusterBusTests {
    /// Runs nodes `a` and `b` on one database (`b` starts once `a` has migrated it).
    func withTwoNodes(_ store: RestartableDatabase, _ body: @Sendable (TestHub, TestHub) async throws -> Void) async throws {
        try await TestHub.run(modules: [ProbeModule.self], database: store, node: "a") { a in
            try await TestHub.run(modules: [ProbeModule.self], database: store, node: "b") { b in
                try await a.waitUntilReady()
                try await b.waitUntilReady()
                try await body(a, b)
            }
        }
    }

    @Test("PostgreSQL with HUB_CLUSTER auto is cluster mode; off is a single node") func mode() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in #expect(hub.hub.isClustered) }
        try await TestHub.run(modules: [ProbeModule.self], environment: ["HUB_CLUSTER": "off"]) { hub in #expect(!hub.hub.isClustered) }
    }

    @Test("an event published on either node reaches subscribers on both, with the same gapless seq") func sameSeq() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let onA = try await a.client()
                let onB = try await b.client()
                let start = try await onA.send("hub.subscribe", ["topic": "probe:open-x"]).data["seq"].int ?? -1
                #expect(try await onB.send("hub.subscribe", ["topic": "probe:open-x"]).data["seq"].int == start)
                let speakerA = try await a.client()
                let speakerB = try await b.client()
                // both nodes publish at once: one order, decided by the database
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for n in 0..<20 { _ = try await speakerA.send("probe.publish", ["topic": "open-x", "text": .string("a\(n)")]) } }
                    group.addTask { for n in 0..<20 { _ = try await speakerB.send("probe.publish", ["topic": "open-x", "text": .string("b\(n)")]) } }
                    try await group.waitForAll()
                }
                var seen: [[String]] = [[], []]
                for (index, client) in [onA, onB].enumerated() {
                    for expected in (start + 1)...(start + 40) {
                        let event = try await client.expectEvent("probe.said", on: "probe:open-x")
                        #expect(event.seq == expected)
                        seen[index].append(event.data["text"].string ?? "")
                    }
                }
                #expect(seen[0] == seen[1])
                #expect(Set(seen[0]).count == 40)
            }
        }
    }

    @Test("hub.007 reverted and re-applied: hub_publish numbers and announces the same way with hub.006's text and with hub.007's functions")
    func publishFunctionMigrations() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let listener = try await b.client()
                let start = try await listener.send("hub.subscribe", ["topic": "probe:open-m"]).data["seq"].int ?? -1
                let speaker = try await a.client()
                func publishAndHear(_ text: String, seq: Int64) async throws {
                    #expect(try await speaker.send("probe.publish", ["topic": "open-m", "text": .string(text)]).data["seq"].int == seq)
                    let event = try await listener.expectEvent("probe.said", on: "probe:open-m")
                    #expect(event.seq == seq && event.data["text"].string == text)
                }
                func functions() async throws -> [String] {
                    try await a.hub.database.withConnection { sql in
                        try await sql.raw("""
                            SELECT proname FROM pg_proc WHERE proname LIKE 'hub\\_%' AND pronamespace = current_schema()::regnamespace ORDER BY proname
                            """).all()
                            .map { try $0.decode(column: "proname", as: String.self) }
                    }
                }
                try await publishAndHear("with hub.007", seq: start + 1)
                #expect(try await a.hub.migrator.revert(module: "hub", count: 1).map(\.name) == ["hub.007_create_notification_functions"])
                #expect(try await functions() == ["hub_publish"])
                try await publishAndHear("with hub.006", seq: start + 2)
                #expect(try await a.hub.migrator.migrate().map(\.name) == ["hub.007_create_notification_functions"])
                #expect(try await functions() == ["hub_history_floor", "hub_notification", "hub_publish"])
                try await publishAndHear("with hub.007 again", seq: start + 3)
            }
        }
    }

    @Test("since recovery on the other node replays what was published there, also after the publisher stopped") func recovery() async throws {
        try await TestDatabase.withRestartable { store in
            let first = try await TestHub.run(modules: [ProbeModule.self], database: store, node: "a") { a -> Int64 in
                let speaker = try await a.client()
                var seqs: [Int64] = []
                for n in 0..<5 {
                    seqs.append(try await speaker.send("probe.publish", ["topic": "open-r", "text": .string("m\(n)")]).data["seq"].int ?? -1)
                }
                #expect(seqs == Array(seqs[0]...(seqs[0] + 4)))
                return seqs[0]
            }
            // node a is gone; b never saw the topic
            try await TestHub.run(modules: [ProbeModule.self], database: store, node: "b") { b in
                try await b.waitUntilReady()
                let reader = try await b.client()
                let reply = try await reader.send("hub.subscribe", ["topic": "probe:open-r", "since": .int(first)])
                #expect(reply.data["recovered"].bool == true)
                #expect(reply.data["seq"].int == first + 4)
                #expect(reply.data["missed"].array?.map { $0["data"]["text"].string } == ["m1", "m2", "m3", "m4"])
                #expect(reply.data["missed"].array?.map { $0["seq"].int } == [first + 1, first + 2, first + 3, first + 4])
                // older than the history: not recovered; newer than the topic: not recovered
                #expect(try await reader.send("hub.subscribe", ["topic": "probe:open-r", "since": .int(first + 9)]).data["recovered"].bool == false)
                // numbering goes on from the database after every node restarted
                let speaker = try await b.client()
                #expect(try await speaker.send("probe.publish", ["topic": "open-r", "text": "next"]).data["seq"].int == first + 5)
                #expect(try await reader.expectEvent("probe.said", on: "probe:open-r").seq == first + 5)
            }
        }
    }

    @Test("the history keeps HUB_TOPIC_HISTORY_SIZE events; a since older than that is not recovered") func historyBound() async throws {
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ProbeModule.self], environment: ["HUB_TOPIC_HISTORY_SIZE": "3"], database: store, node: "a") { a in
                let speaker = try await a.client()
                var seqs: [Int64] = []
                for n in 0..<6 { seqs.append(try await speaker.send("probe.publish", ["topic": "open-h", "text": .string("\(n)")]).data["seq"].int ?? -1) }
                let kept = try await a.hub.database.withConnection { sql in
                    try await sql.raw("SELECT seq FROM hub_topic_events WHERE topic = 'probe:open-h' ORDER BY seq").all().map { try $0.decode(column: "seq", as: Int64.self) }
                }
                #expect(kept == Array(seqs.suffix(3)))
                let reader = try await a.client()
                #expect(try await reader.send("hub.subscribe", ["topic": "probe:open-h", "since": .int(seqs[1])]).data["recovered"].bool == false)
                let reply = try await reader.send("hub.subscribe", ["topic": "probe:open-h", "since": .int(seqs[2])])
                #expect(reply.data["recovered"].bool == true)
                #expect(reply.data["missed"].array?.count == 3)
            }
        }
    }

    @Test("an event too large for one NOTIFY, and an ephemeral one, cross nodes") func largeAndEphemeral() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let onB = try await b.client()
                _ = try await onB.send("hub.subscribe", ["topic": "probe:open-big"])
                let speaker = try await a.client()
                let big = String(repeating: "é", count: 6000)  // 12,000 bytes
                let seq = try await speaker.send("probe.publish", ["topic": "open-big", "text": .string(big)]).data["seq"].int
                let event = try await onB.expectEvent("probe.said", on: "probe:open-big")
                #expect(event.seq == seq)
                #expect(event.data["text"].string == big)
                _ = try await speaker.send("probe.publish", ["topic": "open-big", "text": "typing", "sequenced": false])
                let ephemeral = try await onB.expectEvent("probe.said", on: "probe:open-big")
                #expect(ephemeral.seq == nil)
                #expect(ephemeral.data["text"] == "typing")
                _ = try await speaker.send("probe.publish", ["topic": "open-big", "text": .string(big), "sequenced": false])
                #expect(try await onB.expectEvent("probe.said", on: "probe:open-big").data["text"].string == big)
            }
        }
    }

    @Test("an event published in a transaction is numbered only if it commits") func transactional() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let onB = try await b.client()
                let start = try await onB.send("hub.subscribe", ["topic": "probe:open-records"]).data["seq"].int ?? -1
                let writer = try await a.client()
                // parent 2 fails at COMMIT (deferred foreign key): nothing numbered, nothing sent
                #expect(try await writer.send("probe.record", ["text": "lost", "parent": 2]).error != nil)
                #expect(try await writer.send("probe.record", ["text": "kept", "parent": 1]).error == nil)
                let event = try await onB.expectEvent("probe.recorded", on: "probe:open-records")
                #expect(event.data["text"] == "kept")
                #expect(event.seq == max(start, 0) + 1)
            }
        }
    }

    @Test("a feature flag switched on one node reaches the other node's clients within 1 s") func flags() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let onB = try await b.client()
                let started = ContinuousClock.now
                try await a.hub.setFeature("probe", enabled: false, by: nil)
                #expect(try await onB.expectEvent("hub.feature", timeout: .seconds(1)).data == ["module": "probe", "enabled": false])
                #expect(ContinuousClock.now - started < .seconds(1))
                #expect(try await onB.send("probe.echo", ["text": "x"]).error?.code == .featureDisabled)
            }
        }
    }

    @Test("a second node with a live node's name is refused; the name is free once that node is gone") func nodeName() async throws {
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ProbeModule.self], database: store, node: "same") { _ in
                await #expect(throws: NodeNameTaken.self) {
                    try await TestHub.run(modules: [ProbeModule.self], database: store, node: "same") { _ in }
                }
            }
            try await TestHub.run(modules: [ProbeModule.self], database: store, node: "same") { hub in
                try await hub.waitUntilReady()
                // listed once a heartbeat (every second) is under 5 s old: the PostgreSQL run
                // starts dozens of hubs at once, and a starved heartbeat once missed that
                var nodes = try await hub.hub.clusterNodes()
                for _ in 0..<75 where nodes.map(\.name) != ["same"] {
                    try await Task.sleep(for: .milliseconds(200))
                    nodes = try await hub.hub.clusterNodes()
                }
                #expect(nodes.map(\.name) == ["same"])
            }
        }
    }

    @Test("readiness names bus while the listener's connection is gone; it reconnects and delivers what it missed") func listenerLoss() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                let onB = try await b.client()
                let start = try await onB.send("hub.subscribe", ["topic": "probe:open-l"]).data["seq"].int ?? -1
                // end b's listening session (it holds b's name lock) from the server side
                try await a.hub.database.withConnection { sql in
                    try await sql.raw("""
                        WITH k AS (SELECT hashtextextended(current_schema() || ':switchboard-node:b', 0) AS key)
                        SELECT pg_terminate_backend(l.pid) FROM pg_locks l, k
                        WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
                          AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid
                        """).run()
                }
                var sawBus = false
                for _ in 0..<100 {
                    if await b.hub.readinessProblem() == "bus" { sawBus = true; break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(sawBus)
                let speaker = try await a.client()
                for n in 0..<3 { _ = try await speaker.send("probe.publish", ["topic": "open-l", "text": .string("while away \(n)")]) }
                try await b.waitUntilReady()
                for n in 0..<3 {
                    let event = try await onB.expectEvent("probe.said", on: "probe:open-l", timeout: .seconds(5))
                    #expect(event.seq == start + 1 + Int64(n))
                    #expect(event.data["text"].string == "while away \(n)")
                }
            }
        }
    }

    @Test("GET /admin/cluster lists both live nodes with their connections") func adminCluster() async throws {
        try await TestDatabase.withRestartable { store in
            try await withTwoNodes(store) { a, b in
                _ = try await b.client()
                var nodes: [ClusterNode] = []
                for _ in 0..<50 {  // a heartbeat a second carries the count
                    nodes = try await a.hub.clusterNodes()
                    if nodes.last?.connections == 1 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(nodes.map(\.name) == ["a", "b"])
                #expect(nodes.last?.connections == 1)
            }
        }
    }

    @Test("topic positions looked up together each get their own topic's latest seq, 0 for a topic never published on")
    func batchedPositions() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let cluster = try #require(hub.hub.cluster)
            try await hub.hub.database.withConnection { sql in
                try await sql.raw("INSERT INTO hub_topics (topic, seq) VALUES ('user:batch-a', 7), ('user:batch-b', 2)").run()
            }
            let expected = ["user:batch-a": Int64(7), "user:batch-b": 2, "user:batch-none": 0]
            let answers = try await withThrowingTaskGroup(of: (String, Int64).self) { group in
                for _ in 0..<10 {
                    for topic in expected.keys { group.addTask { (topic, try await cluster.latest(of: topic)) } }
                }
                return try await group.reduce(into: [(String, Int64)]()) { $0.append($1) }
            }
            #expect(answers.count == 30)
            for (topic, latest) in answers { #expect(latest == expected[topic], "\(topic) got \(latest)") }
        }
    }
}

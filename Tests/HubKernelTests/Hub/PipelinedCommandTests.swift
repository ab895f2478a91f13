import Foundation
import Testing
import HubTesting
@testable import HubKernel

/// Pipelined group commit (issue #16), on the SQLite default: a connection's next command runs
/// while the previous one's reply waits for the flush of its commit; replies leave in command
/// order, events with them, and nothing leaves before the flush. Watched by holding the
/// syncer's flushes back and reading the file through a second connection.
@Suite("Pipelined commands")
struct PipelinedCommandTests {
    /// Rows in `probe_records`, read by a connection of its own (committed, flushed or not).
    func committedRecords(at path: String) throws -> [String] {
        try CommittedRows.texts(at: path, "SELECT text FROM probe_records ORDER BY rowid")
    }

    func withFileHub(_ body: @Sendable (TestHub, String) async throws -> Void) async throws {
        try await TestHub.runOnSQLiteFile(modules: [ProbeModule.self], body)
    }

    @Test("the next command runs and commits while the previous reply waits for the flush; replies and events then leave in order")
    func nextCommandRunsAhead() async throws {
        try await withFileHub { hub, path in
            let writer = try await hub.client()
            let watcher = try await hub.client()
            #expect(try await watcher.send("hub.subscribe", ["topic": "probe:open-records"]).ok)
            hub.hub.database.holdFlushes(true)
            for text in ["one", "two", "three"] {
                try await writer.sendRaw(#"{"id":"r-\#(text)","type":"probe.record","data":{"text":"\#(text)","parent":1}}"#)
            }
            // all three ran and committed, one after the other, without waiting for a flush
            var committed: [String] = []
            for _ in 0..<250 where committed.count < 3 {
                committed = try committedRecords(at: path)
                if committed.count < 3 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(committed == ["one", "two", "three"])
            // nothing has left: no reply, no event
            await #expect(throws: (any Error).self) { _ = try await writer.nextFrame(timeout: .milliseconds(300)) }
            try await watcher.expectNoEvent("probe.recorded")
            hub.hub.database.holdFlushes(false)
            var replies: [String] = []
            for _ in 0..<3 {
                let frame = try await writer.nextFrame()
                #expect(frame.ok)
                replies.append(frame.re.string ?? "-")
            }
            #expect(replies == ["r-one", "r-two", "r-three"])
            var events: [String] = []
            for _ in 0..<3 { events.append(try await watcher.expectEvent("probe.recorded").data["text"].string ?? "-") }
            #expect(events == ["one", "two", "three"])
        }
    }

    @Test("a reply with nothing to flush still waits behind an earlier one; an event published now follows the held ones")
    func orderAcrossKinds() async throws {
        try await withFileHub { hub, path in
            let writer = try await hub.client()
            let watcher = try await hub.client()
            #expect(try await watcher.send("hub.subscribe", ["topic": "probe:open-records"]).ok)
            #expect(try await watcher.send("hub.subscribe", ["topic": "probe:open-news"]).ok)
            hub.hub.database.holdFlushes(true)
            try await writer.sendRaw(#"{"id":"w","type":"probe.record","data":{"text":"held","parent":1}}"#)
            try await writer.sendRaw(#"{"id":"e","type":"probe.echo","data":{"text":"hi"}}"#)
            try await writer.sendRaw(#"{"id":"bad","type":"no.such"}"#)
            try await writer.sendRaw(#"{"id":"p","type":"probe.publish","data":{"topic":"open-news","text":"after"}}"#)
            await #expect(throws: (any Error).self) { _ = try await writer.nextFrame(timeout: .milliseconds(300)) }
            hub.hub.database.holdFlushes(false)
            var replies: [String] = []
            for _ in 0..<4 { replies.append(try await writer.nextFrame().re.string ?? "-") }
            #expect(replies == ["w", "e", "bad", "p"])
            let first = try await watcher.nextFrame()
            let second = try await watcher.nextFrame()
            #expect(first.data["text"] == "held" && second.data["text"] == "after")
            #expect(try committedRecords(at: path) == ["held"])
        }
    }

    @Test("a flush that fails answers unavailable for the commands it covered, in order, announces nothing of them, and the connection carries on")
    func failedFlush() async throws {
        try await withFileHub { hub, _ in
            let writer = try await hub.client()
            let watcher = try await hub.client()
            #expect(try await watcher.send("hub.subscribe", ["topic": "probe:open-records"]).ok)
            hub.hub.database.holdFlushes(true)
            try await writer.sendRaw(#"{"id":"lost","type":"probe.record","data":{"text":"lost","parent":1}}"#)
            try await writer.sendRaw(#"{"id":"e","type":"probe.echo","data":{"text":"hi"}}"#)
            await #expect(throws: (any Error).self) { _ = try await writer.nextFrame(timeout: .milliseconds(200)) }
            hub.hub.database.failFlushes(true)
            hub.hub.database.holdFlushes(false)
            let failed = try await writer.nextFrame()
            #expect(failed.re == "lost" && failed.error?.code == .unavailable)
            let echoed = try await writer.nextFrame()
            #expect(echoed.re == "e" && echoed.ok)
            try await watcher.expectNoEvent("probe.recorded", settle: .milliseconds(200))
            hub.hub.database.failFlushes(false)
            let next = try await writer.send("probe.record", ["text": "kept", "parent": 1])
            #expect(next.ok)
            #expect(try await watcher.expectEvent("probe.recorded").data["text"] == "kept")
            #expect(!writer.isClosed)
        }
    }
}

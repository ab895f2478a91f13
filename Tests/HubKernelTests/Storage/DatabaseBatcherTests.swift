import Synchronization
import Testing
@testable import HubKernel

/// ``DatabaseBatcher``: whoever submits while a batch is stored goes into the next one, together
/// (at most `maxBatch` of them); each caller gets its own item's outcome; a failed batch
/// fails exactly its own callers.
@Suite("DatabaseBatcher")
struct DatabaseBatcherTests {
    /// Records each batch; the first store waits until `release` so the others pile up.
    final class Store: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let failing: Set<Int>

        init(failing: Set<Int> = []) { self.failing = failing }

        /// - Returns: each item times ten, its outcome.
        func store(_ items: [Int]) async throws -> [Int] {
            let first = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first { await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } } }
            if !failing.isDisjoint(with: items) { throw Refused() }
            return items.map { $0 * 10 }
        }

        func release() { gate.withLock { $0?.resume(); $0 = nil } }
        struct Refused: Error {}
    }

    /// What each caller was answered.
    final class Answers: Sendable {
        let answers = Mutex<[Int: Int]>([:])
        func record(_ n: Int, _ outcome: Int) { answers.withLock { $0[n] = outcome } }
        var all: [Int: Int] { answers.withLock { $0 } }
    }

    @Test("items arriving during a store wait and go together in the next batch; each caller gets its own outcome")
    func batches() async throws {
        let store = Store()
        let batcher = DatabaseBatcher<Int, Int> { try await store.store($0) }
        let outcomes = Answers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await batcher.submit(0) }
            while store.batches.withLock({ $0.isEmpty }) || store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...20 {
                group.addTask {
                    let outcome = try await batcher.submit(n)
                    outcomes.record(n, outcome)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(store.batches.withLock { $0 } == [[0]], "a second batch started while the first was stored")
            store.release()
            try await group.waitForAll()
        }
        let batches = store.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.last?.sorted() == Array(1...20))
        #expect(outcomes.all == Dictionary(uniqueKeysWithValues: (1...20).map { ($0, $0 * 10) }))
    }

    @Test("a batch takes at most maxBatch items; the rest go in the next")
    func maxBatch() async throws {
        let store = Store()
        let batcher = DatabaseBatcher<Int, Int>(maxBatch: 8) { try await store.store($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await batcher.submit(0) }
            while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...20 {
                group.addTask { let outcome = try await batcher.submit(n); #expect(outcome == n * 10) }
            }
            try await Task.sleep(for: .milliseconds(50))
            store.release()
            try await group.waitForAll()
        }
        let batches = store.batches.withLock { $0 }
        #expect(batches.map(\.count) == [1, 8, 8, 4])
        #expect(batches.dropFirst().flatMap { $0 }.sorted() == Array(1...20))
    }

    final class Outcomes: Sendable {
        let results = Mutex<[Int: Bool]>([:])
        func record(_ n: Int, _ ok: Bool) { results.withLock { $0[n] = ok } }
        var all: [Int: Bool] { results.withLock { $0 } }
    }

    @Test("a failed batch fails its own callers only; the next batch goes on") func failure() async throws {
        let store = Store(failing: [1])
        let batcher = DatabaseBatcher<Int, Int> { try await store.store($0) }
        let outcomes = Outcomes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await batcher.submit(0) }
            while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...3 {
                group.addTask { [outcomes] in
                    do { _ = try await batcher.submit(n); outcomes.record(n, true) } catch { outcomes.record(n, false) }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            store.release()
            try await group.waitForAll()
        }
        #expect(outcomes.all == [1: false, 2: false, 3: false], "1, 2 and 3 were one batch")
        #expect(try await batcher.submit(4) == 40)
        #expect(store.batches.withLock { $0 }.last == [4])
    }

    @Test("a cancelled caller stops waiting at once, while the batch before it is still being stored") func cancellation() async throws {
        let store = Store()
        let batcher = DatabaseBatcher<Int, Int> { try await store.store($0) }
        let first = Task { _ = try await batcher.submit(0) }
        while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
        let answer = Outcomes()
        let waiting = Task {
            do { _ = try await batcher.submit(1); answer.record(1, false) } catch { answer.record(1, error is CancellationError) }
        }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        for _ in 0..<100 where answer.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(answer.all == [1: true], "the cancelled caller was not answered while the batch before it was stored")
        #expect(store.batches.withLock { $0 } == [[0]])
        store.release()
        try await first.value
        _ = try await batcher.submit(2)
        #expect(store.batches.withLock { $0 }.last == [2], "the cancelled item left the queue")
    }
}

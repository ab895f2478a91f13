import Synchronization
import Testing
@testable import Presence

/// ``ArrivalBatcher``: whoever arrives while a batch is stored goes into the next one,
/// together; a failed batch fails exactly its own callers.
@Suite("ArrivalBatcher")
struct ArrivalBatcherTests {
    /// Records each batch; the first store waits until `release` so the others pile up.
    final class Store: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let failing: Set<Int>

        init(failing: Set<Int> = []) { self.failing = failing }

        func store(_ items: [Int]) async throws {
            let first = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first { await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } } }
            if !failing.isDisjoint(with: items) { throw Refused() }
        }

        func release() { gate.withLock { $0?.resume(); $0 = nil } }
        struct Refused: Error {}
    }

    @Test("items arriving during a store wait and go together in the next batch") func batches() async throws {
        let store = Store()
        let batcher = ArrivalBatcher<Int> { try await store.store($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.submit(0) }
            while store.batches.withLock({ $0.isEmpty }) || store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...20 { group.addTask { try await batcher.submit(n) } }
            try await Task.sleep(for: .milliseconds(100))
            #expect(store.batches.withLock { $0 } == [[0]], "a second batch started while the first was stored")
            store.release()
            try await group.waitForAll()
        }
        let batches = store.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.last?.sorted() == Array(1...20))
    }

    final class Outcomes: Sendable {
        let results = Mutex<[Int: Bool]>([:])
        func record(_ n: Int, _ ok: Bool) { results.withLock { $0[n] = ok } }
        var all: [Int: Bool] { results.withLock { $0 } }
    }

    @Test("a failed batch fails its own callers only; the next batch goes on") func failure() async throws {
        let store = Store(failing: [1])
        let batcher = ArrivalBatcher<Int> { try await store.store($0) }
        let outcomes = Outcomes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.submit(0) }
            while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...3 {
                group.addTask { [outcomes] in
                    do { try await batcher.submit(n); outcomes.record(n, true) } catch { outcomes.record(n, false) }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            store.release()
            try await group.waitForAll()
        }
        #expect(outcomes.all == [1: false, 2: false, 3: false], "1, 2 and 3 were one batch")
        try await batcher.submit(4)
        #expect(store.batches.withLock { $0 }.last == [4])
    }

    @Test("a cancelled caller stops waiting at once, while the batch before it is still being stored") func cancellation() async throws {
        let store = Store()
        let batcher = ArrivalBatcher<Int> { try await store.store($0) }
        let first = Task { try await batcher.submit(0) }
        while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
        let answer = Outcomes()
        let waiting = Task {
            do { try await batcher.submit(1); answer.record(1, false) } catch { answer.record(1, error is CancellationError) }
        }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        for _ in 0..<100 where answer.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(answer.all == [1: true], "the cancelled caller was not answered while the batch before it was stored")
        #expect(store.batches.withLock { $0 } == [[0]])
        store.release()
        try await first.value
        try await batcher.submit(2)
        #expect(store.batches.withLock { $0 }.last == [2], "the cancelled item left the queue")
    }
}

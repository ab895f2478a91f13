import Foundation
import Testing
@testable import HubTesting

/// The test harness stops a test's database after the test, waiting a bounded time: a pool
/// whose `run()` ignores cancellation must not hold up the suite (one CI run hung on one).
@Suite("Test databases stop within a bound")
struct TestDatabaseStopTests {
    /// A task that ignores cancellation and finishes after `seconds`, like a pool that will not stop.
    func stubborn(_ seconds: Double) -> Task<Void, Never> {
        Task {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { done.resume() }
            }
        }
    }

    @Test("a task that ignores cancellation is waited for only up to the limit") func bounded() async {
        let task = stubborn(5)
        task.cancel()
        let started = ContinuousClock.now
        await TestDatabase.firstOf(task, orAfter: .milliseconds(300))
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(3), "waited \(waited)")
    }

    @Test("a task that finishes is not waited for past its end") func prompt() async {
        let task = stubborn(0.2)
        let started = ContinuousClock.now
        await TestDatabase.firstOf(task, orAfter: .seconds(30))
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .seconds(5), "waited \(waited)")
    }

    @Test("the body's value and error come through; the database is stopped after it") func bodyOutcome() async throws {
        #expect(try await TestDatabase.with { _ in 42 } == 42)
        struct Oops: Error {}
        await #expect(throws: Oops.self) { try await TestDatabase.with { _ in throw Oops() } }
    }
}

import HubTesting
import Synchronization
import Testing
@testable import HubKernel

@Suite("The connect gate: places for connections still running their connect hooks")
struct ConnectGateTests {
    /// The order places were granted in.
    final class Grants: Sendable {
        let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    @Test("past the limit upgrades wait; a place given back goes to the longest waiting; a second release gives nothing back")
    func order() async throws {
        let gate = ConnectGate(limit: 2, maxWait: .seconds(30))
        let a = try await gate.enter(), b = try await gate.enter()
        #expect(gate.pending == 2)
        let granted = Grants()
        let c = Task { let pass = try await gate.enter(); granted.add("c"); return pass }
        #expect(try await eventually { gate.waiting == 1 })
        let d = Task { let pass = try await gate.enter(); granted.add("d"); return pass }
        #expect(try await eventually { gate.waiting == 2 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(granted.all.isEmpty)
        a.release()
        let passC = try await c.value
        #expect(granted.all == ["c"], "the place went to a later waiter")
        a.release()   // twice: nothing more is given back
        try await Task.sleep(for: .milliseconds(50))
        #expect(granted.all == ["c"] && gate.waiting == 1 && gate.pending == 2)
        b.release()
        let passD = try await d.value
        #expect(granted.all == ["c", "d"])
        passC.release()
        passD.release()
        #expect(gate.pending == 0 && gate.waiting == 0)
    }

    @Test("an upgrade that waited maxWait is refused unavailable with a retry hint, and holds no place")
    func refusal() async throws {
        let gate = ConnectGate(limit: 1, maxWait: .milliseconds(100))
        let held = try await gate.enter()
        let started = ContinuousClock.now
        do {
            _ = try await gate.enter()
            Issue.record("a second place was granted")
        } catch {
            #expect(error.code == .unavailable && (error.retryAfterMs ?? 0) > 0)
        }
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(gate.waiting == 0 && gate.pending == 1)
        held.release()
        #expect(gate.pending == 0)
        let next = try await gate.enter()
        #expect(gate.pending == 1)
        next.release()
    }

    @Test("limit 0: no bound") func off() async throws {
        let gate = ConnectGate(limit: 0, maxWait: .milliseconds(1))
        var passes: [ConnectPass] = []
        for _ in 0..<100 { passes.append(try await gate.enter()) }
        #expect(gate.waiting == 0)
        passes.forEach { $0.release() }
    }
}

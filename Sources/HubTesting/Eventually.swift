/// Polls `condition` every `every` until it holds or `within` has passed: for state a test
/// cannot await directly (a task's progress, a counter another thread moves, a row another
/// process writes).
/// - Returns: whether it held (the last look is taken at the deadline).
public func eventually(within: Duration = .seconds(5), every: Duration = .milliseconds(5),
                       _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: every)
    }
    return try await condition()
}

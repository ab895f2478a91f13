import NIOCore

/// The phases every message workload shares: a ready barrier, paced sending, a bounded
/// drain. Each phase has a time bound so a stuck server ends the run instead of hanging it.
extension LoadRun {
    /// Sends probes (negative seq) from `sender` every `interval` until `expected` recording
    /// sockets saw one or `timeout` passed; returns how many never did.
    func awaitReady(sender: ClientSocket, room: String, expected: Int, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var probe = 0
        let interval: Duration = expected < 2000 ? .milliseconds(100) : .milliseconds(250)
        while try await onLoop({ self.readyCount }) < expected, ContinuousClock.now < deadline {
            probe += 1
            let seq = -probe
            try await onLoop { self.sendChat(from: sender, room: room, seq: seq, padding: "", acknowledged: false) }
            try await Task.sleep(for: interval)
        }
        try await Task.sleep(for: .milliseconds(300))  // late probes drain before measuring
        return max(0, expected - (try await onLoop { self.readyCount }))
    }

    /// What paced sending did.
    struct Paced: Sendable {
        var sent: Int
        var seconds: Double
    }

    /// Calls `send(k)` for k = 0, 1, … so that `rate × elapsed` messages have gone at every
    /// tick, until `rate × duration` are sent. Stops 2 s late if the tool cannot keep pace
    /// (the report then shows `sendSeconds` above the duration).
    func pace(
        rate: Double, duration: Double, send: @escaping @Sendable (Int) -> Void, flush: @escaping @Sendable () -> Void
    ) async throws -> Paced {
        let total = Int(rate * duration)
        let tick: TimeAmount = rate >= 500 ? .milliseconds(1) : .microseconds(Int64(min(10_000, 1_000_000 / rate)))
        let pacer = try await onLoop { Pacer(total: total, rate: rate, duration: duration, promise: self.loop.makePromise()) }
        _ = try await onLoop {
            self.loop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { task in
                pacer.tick(task: task, send: send, flush: flush)
            }
        }
        return try await pacer.promise.futureResult.get()
    }

    /// Waits until `expected` deliveries arrived, or none arrived for `quiet` seconds after
    /// the first, or `cap` seconds passed.
    func drain(expected: Int, quiet: Double, cap: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(cap * 1000))
        var last = -1
        var lastChange = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let now = try await onLoop { self.received }
            if now >= expected { return }
            if now != last {
                last = now
                lastChange = ContinuousClock.now
            } else if now > 0, ContinuousClock.now - lastChange > .milliseconds(Int(quiet * 1000)) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The delivery columns of a report from this run's counters.
    func deliveries(
        into report: inout Report, sent: Int, expected: Int, sendSeconds: Double, offeredPerSecond: Double, measuredFrom start: UInt64
    ) async throws {
        let snapshot = try await onLoop {
            (self.received, self.firstReceive, self.lastReceive, self.acknowledged, self.errors, self.events,
             Report.Percentiles(self.latency), Report.Percentiles(self.ackLatency))
        }
        let (received, _, last, acknowledged, errors, events, latency, ack) = snapshot
        report.sent = sent
        report.expected = expected
        report.delivered = received
        report.lost = max(0, expected - received)
        report.lossPercent = expected > 0 ? round2(Double(max(0, expected - received)) / Double(expected) * 100) : 0
        report.sendSeconds = sendSeconds
        report.offeredPerSecond = round2(offeredPerSecond)
        report.latencyMs = latency
        report.ackLatencyMs = ack
        report.acknowledged = target.kind == .switchboard ? acknowledged : nil
        report.errors = errors
        if !events.isEmpty { report.events = events }
        if received > 0, last > start {
            report.deliveredPerSecond = (Double(received) / (Double(last - start) / 1e9)).rounded()
        }
    }
}

/// Paced sending's progress; confined to the run's loop.
private final class Pacer: @unchecked Sendable {
    let total: Int
    let rate: Double
    let duration: Double
    let promise: EventLoopPromise<LoadRun.Paced>
    private let start = LoadRun.now()
    private var sent = 0

    init(total: Int, rate: Double, duration: Double, promise: EventLoopPromise<LoadRun.Paced>) {
        self.total = total
        self.rate = rate
        self.duration = duration
        self.promise = promise
    }

    func tick(task: RepeatedTask, send: (Int) -> Void, flush: () -> Void) {
        guard sent < total || total == 0 else { return }
        let elapsed = Double(LoadRun.now() - start) / 1e9
        let due = min(total, Int(elapsed * rate) + 1)
        while sent < due {
            send(sent)
            sent += 1
        }
        flush()
        if sent >= total || elapsed > duration + 2 {
            task.cancel()
            promise.succeed(LoadRun.Paced(sent: sent, seconds: round2(elapsed)))
        }
    }
}

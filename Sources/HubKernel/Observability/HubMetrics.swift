public import Prometheus
import Synchronization

/// The hub's Prometheus metrics, rendered at `GET /metrics`.
///
/// Each hub owns its registry (no global bootstrap), so several hubs in one test process keep
/// separate counts. Dimensions follow style.md: `module`, `type`, `code`.
public final class HubMetrics: Sendable {
    /// The registry behind `/metrics`.
    public let registry = PrometheusCollectorRegistry()

    private let connectionsOpen: Gauge
    private let connectionsTotal: Counter
    private let slowConsumerCloses: Counter
    private let badFrames: Counter
    private let connectsPending: Gauge
    private let connectWaits: Counter
    private let connectRefusals: Counter
    private let counters = Mutex<[CounterKey: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])

    /// A counter's name and label values, hashed without building a string per increment.
    private struct CounterKey: Hashable {
        var name: String
        var first: String
        var second: String = ""
        var third: String = ""
    }

    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// The kernel's metrics, in this hub's own registry (served at `/metrics`).
    public init() {
        connectionsOpen = registry.makeGauge(descriptor: .init(namespace: "sb", metricName: "connections_open", helpText: "Open WebSocket connections"))
        connectionsTotal = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: "connections_total", helpText: "Admitted WebSocket connections"))
        slowConsumerCloses = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: "slow_consumer_closes_total", helpText: "Connections closed with 4008 (slow consumer)"))
        badFrames = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: "bad_frames_total", helpText: "Frames answered bad_request"))
        connectsPending = registry.makeGauge(descriptor: .init(namespace: "sb", metricName: "connects_pending",
                                                               helpText: "Connections between admission and the end of their connect hooks"))
        connectWaits = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: "connect_waits_total",
                                                              helpText: "Upgrades that waited for a place under HUB_MAX_PENDING_CONNECTS"))
        connectRefusals = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: "connect_refusals_total",
                                                                 helpText: "Upgrades refused 503 after HUB_PENDING_CONNECT_WAIT_MS"))
    }

    private func counter(_ name: String, help: String, labels: [(String, String)]) -> Counter {
        let key = CounterKey(name: name, first: labels.count > 0 ? labels[0].1 : "", second: labels.count > 1 ? labels[1].1 : "",
                             third: labels.count > 2 ? labels[2].1 : "")
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: .init(namespace: "sb", metricName: name, helpText: help), labels: labels)
            counters[key] = counter
            return counter
        }
    }

    /// A counter of a module's own (see ``ModuleMetrics``).
    func moduleCounter(_ name: String, help: String, labels: [(String, String)]) -> Counter {
        counter(name, help: help.isEmpty ? name : help, labels: labels)
    }

    func connectionOpened() {
        connectionsOpen.increment()
        connectionsTotal.increment()
    }
    func connectionClosed() { connectionsOpen.decrement() }
    func slowConsumerClosed() { slowConsumerCloses.increment() }
    func badFrame() { badFrames.increment() }
    /// The connect gate's places in use changed by `delta`.
    func connectsPending(_ delta: Int) { delta > 0 ? connectsPending.increment(by: Double(delta)) : connectsPending.decrement(by: Double(-delta)) }
    func connectWaited() { connectWaits.increment() }
    func connectRefused() { connectRefusals.increment() }

    /// Counts one command by its outcome (`ok` or an error code) and records its latency.
    func command(module: String, type: String, code: String, duration: Duration) {
        counter("commands_total", help: "Commands by module, type and outcome code",
                labels: [("module", module), ("type", type), ("code", code)]).increment()
        let key = type
        let histogram = histograms.withLock { histograms in
            if let histogram = histograms[key] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: .init(namespace: "sb", metricName: "command_duration", unitName: "seconds", helpText: "Command latency from decode to reply"),
                labels: [("module", module), ("type", type)], buckets: Self.latencyBuckets)
            histograms[key] = histogram
            return histogram
        }
        histogram.record(duration)
    }

    func rateLimited(module: String, type: String) {
        counter("rate_limited_total", help: "Commands rejected by a rate limit", labels: [("module", module), ("type", type)]).increment()
    }
    func published(module: String) {
        counter("events_published_total", help: "Events published", labels: [("module", module)]).increment()
    }
    func delivered(module: String, count: Int) {
        guard count > 0 else { return }
        counter("events_delivered_total", help: "Event frames queued to subscribers", labels: [("module", module)]).increment(by: Int64(count))
    }

    /// The Prometheus text exposition.
    public func render() -> String { registry.emitToString() }
}

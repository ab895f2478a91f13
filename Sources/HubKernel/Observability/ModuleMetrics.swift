import Prometheus

/// Counters a module adds to `/metrics`, labelled with the module's name.
///
/// `metrics.increment("notifications_unsent_total", labels: [("reason", "switched_off")])` shows
/// as `sb_notifications_unsent_total{module="tickets",reason="switched_off"} 1`.
public struct ModuleMetrics: Sendable {
    let hubMetrics: HubMetrics
    let module: String

    /// Adds `amount` to the counter `name` (prefixed `sb_`) with the module label and `labels`.
    public func increment(_ name: String, by amount: Int64 = 1, help: String = "", labels: [(String, String)] = []) {
        hubMetrics.moduleCounter(name, help: help, labels: [("module", module)] + labels).increment(by: amount)
    }
}

import Synchronization
public import HubKernel
import Logging
import ServiceLifecycle

/// The checks every module in the catalog must pass (style.md §13): its command types are
/// `<name>.<action>`, each command has a rate limit, its listed events are its own and well
/// named, its services stop promptly on a graceful shutdown (or `switchboard serve` would hang
/// on SIGTERM), its migrations are named
/// `<name>.<NNN>_<what>`, are unique, and apply, revert and re-apply on a fresh database
/// (SQLite, or PostgreSQL when `SWITCHBOARD_TEST_DATABASE_URL` is set).
public enum ModuleConformance {
    /// What is wrong with `module`; empty when it conforms.
    public static func problems(of module: any HubModule.Type) async throws -> [String] {
        let name = moduleName(module)
        var problems: [String] = []
        if !ModuleName(name).isValid { problems.append("name '\(name)' must be lowercase letters and digits, not reserved") }
        do {
            try await TestHub.run(modules: [module]) { testHub in
                var found: [String] = []
                let hub = testHub.hub
                for route in hub.routes.sorted where route.module == name {
                    if !route.type.rawValue.hasPrefix("\(name).") { found.append("command \(route.type) is outside '\(name).'") }
                    if route.rateLimit.isOff { found.append("command \(route.type) has no rate limit") }
                }
                for module in hub.modules where moduleName(of: module) == name {
                    for event in module.events {
                        if event.type.module != name { found.append("event \(event.type) belongs to '\(event.type.module)', not '\(name)'") }
                        if !EventType.isValidName(event.name) {
                            found.append("event name '\(event.name)' must be ASCII letters, digits and _, starting with a lowercase letter")
                        }
                    }
                }
                // services are checked last, so the migration checks never run beside one being stopped
                guard let plan = hub.migrationPlans.first(where: { $0.module == name }) else {
                    return found + (await serviceProblems(of: hub.modules.filter { moduleName(of: $0) == name }))
                }
                let names = plan.migrations.map(\.name)
                if Set(names).count != names.count { found.append("migration names repeat: \(names)") }
                for migration in names where !migration.hasPrefix("\(name).") {
                    found.append("migration '\(migration)' must be named '\(name).NNN_what'")
                }
                let migrator = hub.migrator
                do {
                    let reverted = try await migrator.revert(module: name, count: names.count)
                    if reverted.count != names.count { found.append("revert undid \(reverted.count) of \(names.count) migrations") }
                    let reapplied = try await migrator.migrate()
                    if reapplied.count != names.count { found.append("re-applying gave \(reapplied.count) of \(names.count) migrations") }
                } catch {
                    found.append("prepare → revert → prepare failed: \(error)")
                }
                return found + (await serviceProblems(of: hub.modules.filter { moduleName(of: $0) == name }))
            }.forEach { problems.append($0) }
        } catch {
            problems.append("the module does not load: \(error)")
        }
        return problems
    }

    /// Each service of `modules` that does not stop on a graceful shutdown.
    private static func serviceProblems(of modules: [any HubModule]) async -> [String] {
        var problems: [String] = []
        for module in modules {
            for service in module.services {
                if let problem = await stopsOnGracefulShutdown(service) { problems.append(problem) }
            }
        }
        return problems
    }

    /// Runs `service` in a service group, triggers a graceful shutdown, and says so when the
    /// service is still running `within` later (generous: a loaded test machine is slow, and a
    /// service that ignores the shutdown never stops at all).
    /// The service runs in a task of its own that is never awaited past `within`: one that
    /// ignores the shutdown (and cancellation) fails the check instead of hanging the suite.
    static func stopsOnGracefulShutdown(_ service: any Service, within: Duration = .seconds(20)) async -> String? {
        let group = ServiceGroup(configuration: .init(services: [service], logger: TestHub.quietLogger))
        let stopped = StopFlag()
        let running = Task {
            try? await group.run()
            stopped.value.withLock { $0 = true }
        }
        try? await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        let deadline = ContinuousClock.now + within
        while !stopped.value.withLock({ $0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if stopped.value.withLock({ $0 }) { return nil }
        running.cancel()
        return "service \(type(of: service)) still runs \(within) after a graceful shutdown (use cancelWhenGracefulShutdown)"
    }

    private static func moduleName<M: HubModule>(_ type: M.Type) -> String { M.name.rawValue }
    private static func moduleName(of module: some HubModule) -> String { type(of: module).name.rawValue }
}

/// Whether a service under test has stopped, set by the task running it.
private final class StopFlag: Sendable {
    let value = Mutex(false)
}

import Synchronization
import Foundation
import Logging
import NIOCore

/// One command from frame to reply, the other half of the ``Hub`` (the first is
/// ``ConnectionRegistry``): size → envelope → route → feature flag → role → rate limit →
/// payload decoding → validation → the handler → the reply, with every rejection answered by
/// its code and every error mapped to the wire in one place (``wireError(_:logger:)``).
/// Nothing here closes a healthy connection except the bad-frame limit.
final class CommandPipeline: Sendable {
    let settings: HubSettings
    let routes: RouteTable
    let flags: FeatureFlags
    let limiter: any RateLimiter
    let clock: any HubClock
    let metrics: HubMetrics
    let logger: Logger
    let database: Database
    let capabilities: CapabilityRegistry
    private let decoder = JSONDecoder()
    /// Commands being handled now (a draining node waits for them).
    let inFlight = Atomic<Int>(0)

    init(settings: HubSettings, routes: RouteTable, flags: FeatureFlags, limiter: any RateLimiter, clock: any HubClock,
         metrics: HubMetrics, logger: Logger, database: Database, capabilities: CapabilityRegistry) {
        self.settings = settings
        self.routes = routes
        self.flags = flags
        self.limiter = limiter
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.database = database
        self.capabilities = capabilities
    }

    /// Runs one text frame through the pipeline; `hub` is what the handler's context reaches
    /// (subscriptions, topic rules, tokens).
    ///
    /// On the SQLite default the handler's commits are not awaited here: its reply and events
    /// wait for their flush in the connection's ordered release while this returns and the
    /// connection's next command runs (``PendingDurability``).
    func receive(_ text: String, on connection: Connection, hub: Hub) async {
        let started = ContinuousClock.now
        let pending = database.defersDurability ? PendingDurability(connection: connection) : nil
        let bytes = Data(text.utf8)
        if bytes.count > settings.maxFrameBytes {
            // not a bad frame: the client may legitimately have sent too much once
            respond(OutboundFrame.error(
                .payloadTooLarge("frame is \(bytes.count) bytes; the limit is \(settings.maxFrameBytes)"), re: nil), re: nil, pending, on: connection)
            return
        }
        let envelope = Envelope.parse(bytes, decoder: decoder)
        if let error = envelope.error {
            rejectBadFrame(error, re: envelope.id, pending, on: connection)
            return
        }
        connection.state.withLock { $0.consecutiveBadFrames = 0 }
        guard let route = routes[envelope.type] else {
            respond(OutboundFrame.error(.unknownType(envelope.type), re: envelope.id), re: envelope.id, pending, on: connection)
            metrics.command(module: "unknown", type: "unknown", code: ErrorCode.unknownType.rawValue, duration: .zero)
            return
        }
        let identity = connection.identity
        var code = "ok"
        var answer: ByteBuffer?
        inFlight.add(1, ordering: .relaxed)
        do {
            guard flags.isEnabled(route.module) else { throw HubError.featureDisabled(route.module) }
            guard identity.role.satisfies(route.role) else {
                throw HubError.forbidden("\(route.type) requires role \(route.role.rawValue)")
            }
            if let wait = limiter.acquire(rateLimitKey(route, connection: connection, identity: identity),
                                          limit: route.rateLimit, nowMs: clock.nowMs()) {
                metrics.rateLimited(module: route.module, type: route.type.rawValue)
                throw HubError.rateLimited(retryAfterMs: wait)
            }
            let context = CommandContext(
                identity: identity, connectionID: connection.id, commandType: route.type, database: database,
                clock: clock, baseLogger: logger, capabilities: capabilities,
                connection: connection, hub: hub, commandID: envelope.id)
            let payload = envelope.dataRange.map { bytes.subdata(in: $0) }
            if let reply = try await PendingDurability.$current.withValue(pending, operation: { try await route.invoke(payload, context) }),
               let id = envelope.id {
                answer = OutboundFrame.reply(to: id, payload: reply)
            }
        } catch {
            var logger = self.logger
            logger[metadataKey: "sb.connection.id"] = .string(connection.id)
            logger[metadataKey: "sb.command.type"] = .string(route.type.rawValue)
            logger[metadataKey: "sb.user.id"] = .string(identity.userID)
            let hubError = wireError(error, logger: logger)
            code = hubError.code.rawValue
            answer = OutboundFrame.error(hubError, re: envelope.id)
        }
        metrics.command(module: route.module, type: route.type.rawValue, code: code, duration: ContinuousClock.now - started)
        // in flight until the reply leaves (a draining node waits for it)
        respond(answer, re: envelope.id, pending, on: connection) { self.inFlight.subtract(1, ordering: .relaxed) }
    }

    /// Answers a binary frame: the protocol is JSON text only.
    func receiveBinary(on connection: Connection) {
        rejectBadFrame(.badRequest("binary frames are not supported; send JSON text frames"), re: nil,
                       database.defersDurability ? PendingDurability(connection: connection) : nil, on: connection)
    }

    /// Sends a command's answer: at once, or — when the database defers durability — through
    /// the connection's ordered release, after the earlier commands' replies and once its own
    /// commits are flushed. `then` runs after it was sent.
    private func respond(_ frame: ByteBuffer?, re id: CommandID?, _ pending: PendingDurability?, on connection: Connection,
                         then: @escaping @Sendable () -> Void = {}) {
        guard let pending else {
            if let frame { connection.send(frame) }
            then()
            return
        }
        connection.release(frame, re: id, after: pending.seal(), database: database, done: then)
    }

    private func rejectBadFrame(_ error: HubError, re id: CommandID?, _ pending: PendingDurability?, on connection: Connection) {
        metrics.badFrame()
        let count = connection.state.withLock { state in
            state.consecutiveBadFrames += 1
            return state.consecutiveBadFrames
        }
        let closing = count >= settings.maxConsecutiveBadFrames
        respond(OutboundFrame.error(error, re: id), re: id, pending, on: connection) { [logger] in
            guard closing else { return }
            logger.notice("closing after too many bad frames", metadata: ["sb.connection.id": .string(connection.id)])
            connection.outbound.close(.policyViolation, reason: "too many invalid frames")
        }
    }

    private func rateLimitKey(_ route: Route, connection: Connection, identity: Identity) -> String {
        switch route.rateLimit.scope {
        case .connection: "\(route.type.rawValue)|c|\(connection.id)"
        case .user: "\(route.type.rawValue)|u|\(identity.userID)"
        case .ip: "\(route.type.rawValue)|ip|\(connection.remoteAddress)"
        }
    }

    /// Maps any error to its wire form; unexpected errors get an incident id that is logged.
    func wireError(_ error: any Error, logger: Logger) -> HubError {
        if let convertible = error as? any WireErrorConvertible {
            let hubError = convertible.hubError
            if hubError.code == .unavailable {
                logger.warning("dependency unavailable", metadata: ["error": .string(String(describing: error))])
            }
            return hubError
        }
        if error is CancellationError { return .unavailable("the node is shutting down") }
        let incident = String(UInt32.random(in: .min ... .max), radix: 16)
        logger.error("command failed", metadata: ["sb.incident": .string(incident), "error": .string(String(reflecting: error))])
        return .internal(incident: incident)
    }
}

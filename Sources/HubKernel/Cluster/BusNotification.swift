import Foundation

/// One NOTIFY between the nodes of a cluster, in a line format that needs no JSON parsing of
/// the event itself: `<kind>\n<origin node>\n<fields…>`, the last field running to the end.
///
/// | kind | fields | meaning |
/// | --- | --- | --- |
/// | `e` | seq, topic, type, payload | a sequenced event |
/// | `E` | seq, topic | a sequenced event too large for NOTIFY: read it from `hub_topic_events` |
/// | `u` | topic, type, payload | an ephemeral event (no seq, no history) |
/// | `U` | blob id, topic, type | an ephemeral event whose payload is in `hub_bus_blobs` |
/// | `f` | module, `1`/`0` | a feature flag was switched |
/// | `r` | user id, valid-after ms | an account's earlier access tokens were revoked |
///
/// Topics, types, node names and ids contain no newline (they are validated), so only the
/// payload, always last, may.
enum BusNotification: Equatable {
    case event(origin: String, seq: Int64, topic: String, type: String, payload: Data)
    case eventReference(origin: String, seq: Int64, topic: String)
    case ephemeral(origin: String, topic: String, type: String, payload: Data)
    case ephemeralReference(origin: String, blob: String, topic: String, type: String)
    case feature(origin: String, module: String, enabled: Bool)
    case revocation(origin: String, userID: String, validAfterMs: Int64)

    /// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; stay clear of it.
    static let maxBytes = 7900

    /// The node that sent it.
    var origin: String {
        switch self {
        case .event(let origin, _, _, _, _), .eventReference(let origin, _, _), .ephemeral(let origin, _, _, _),
             .ephemeralReference(let origin, _, _, _), .feature(let origin, _, _), .revocation(let origin, _, _):
            return origin
        }
    }

    /// Parses a notification; `nil` for anything malformed (logged by the caller, never fatal).
    init?(parsing text: String) {
        let parts = text.split(separator: "\n", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3 else { return nil }
        let origin = parts[1]
        func field(_ index: Int) -> String? { index < parts.count ? parts[index] : nil }
        switch parts[0] {
        case "e":
            guard let seq = field(2).flatMap(Int64.init), let topic = field(3), let type = field(4), let payload = field(5) else { return nil }
            self = .event(origin: origin, seq: seq, topic: topic, type: type, payload: Data(payload.utf8))
        case "E":
            guard let seq = field(2).flatMap(Int64.init), let topic = field(3) else { return nil }
            self = .eventReference(origin: origin, seq: seq, topic: topic)
        case "u":
            // the payload is everything after the type: rejoin it if it held newlines
            let split = text.split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard split.count == 5 else { return nil }
            self = .ephemeral(origin: origin, topic: split[2], type: split[3], payload: Data(split[4].utf8))
        case "U":
            guard let blob = field(2), let topic = field(3), let type = field(4) else { return nil }
            self = .ephemeralReference(origin: origin, blob: blob, topic: topic, type: type)
        case "f":
            guard let module = field(2), let flag = field(3), flag == "1" || flag == "0" else { return nil }
            self = .feature(origin: origin, module: module, enabled: flag == "1")
        case "r":
            guard let userID = field(2), let ms = field(3).flatMap(Int64.init) else { return nil }
            self = .revocation(origin: origin, userID: userID, validAfterMs: ms)
        default:
            return nil
        }
    }

    /// The text sent with NOTIFY (for the `e`/`E` kinds the database splices in the seq, so
    /// ``ClusterBus`` builds those itself).
    var text: String {
        switch self {
        case .event(let origin, let seq, let topic, let type, let payload):
            return "e\n\(origin)\n\(seq)\n\(topic)\n\(type)\n\(String(decoding: payload, as: UTF8.self))"
        case .eventReference(let origin, let seq, let topic):
            return "E\n\(origin)\n\(seq)\n\(topic)"
        case .ephemeral(let origin, let topic, let type, let payload):
            return "u\n\(origin)\n\(topic)\n\(type)\n\(String(decoding: payload, as: UTF8.self))"
        case .ephemeralReference(let origin, let blob, let topic, let type):
            return "U\n\(origin)\n\(blob)\n\(topic)\n\(type)"
        case .feature(let origin, let module, let enabled):
            return "f\n\(origin)\n\(module)\n\(enabled ? "1" : "0")"
        case .revocation(let origin, let userID, let ms):
            return "r\n\(origin)\n\(userID)\n\(ms)"
        }
    }
}

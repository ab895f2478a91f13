import Foundation
public import HTTPTypes

/// The address of the client behind a request, for per-address limits and caps.
///
/// The socket's peer is the client, unless the peer is one of the operator's reverse proxies
/// (`HTTP_TRUSTED_PROXIES`): then the client is the right-most `X-Forwarded-For` entry that is
/// not itself a trusted proxy. The header is read only from a trusted peer, since anyone can
/// send one; without trusted proxies it is ignored, and behind an untrusted proxy every
/// client shares the proxy's address.
public enum ClientAddress {
    /// The client address of a request from `peer` with `headers`.
    public static func resolve(peer: String, headers: HTTPFields, trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer) else { return peer }
        let hops = headers[values: HTTPField.Name("X-Forwarded-For")!]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}

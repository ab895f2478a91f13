/// The `permessage-deflate` negotiation (RFC 7692 §5–7), server side.
///
/// The hub accepts compressed messages from clients and sends its own uncompressed (an
/// event is framed once for every subscriber; see docs/protocol.md). It always answers with
/// `client_no_context_takeover`, which RFC 7692 §7.1.1.2 lets a server add to any offer: each
/// client message then inflates on its own, so one inflate stream per event loop serves every
/// connection of that loop and an idle compressed connection holds no zlib state.
enum PerMessageDeflate {
    /// The `Sec-WebSocket-Extensions` value accepting the first acceptable offer in
    /// `offers` (the request's header values), or `nil` to decline every offer.
    static func negotiate(offers: [String]) -> String? {
        for offer in offers.flatMap({ $0.split(separator: ",") }) {
            if let accepted = accept(offer) { return accepted }
        }
        return nil
    }

    /// The response to one offer, or `nil` when it is not `permessage-deflate` or names a
    /// parameter twice, a parameter RFC 7692 does not define, or a window outside 8–15.
    private static func accept(_ offer: Substring) -> String? {
        var parts = offer.split(separator: ";").map { $0.trimmingWhitespace() }
        guard parts.first?.lowercased() == "permessage-deflate" else { return nil }
        parts.removeFirst()
        var seen: Set<String> = []
        var response = ["permessage-deflate", "client_no_context_takeover"]
        for parameter in parts {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            let name = pair[0].lowercased()
            let value = pair.count == 2 ? String(pair[1]).trimmingQuotes() : nil
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "server_no_context_takeover":
                guard value == nil else { return nil }
                response.append("server_no_context_takeover")  // kept trivially: nothing is compressed
            case "client_no_context_takeover":
                guard value == nil else { return nil }
            case "server_max_window_bits":
                guard let value, let bits = windowBits(value) else { return nil }
                response.append("server_max_window_bits=\(bits)")
            case "client_max_window_bits":
                // a hint that the client can be told a window; the inflater takes any up to 15
                if let value, windowBits(value) == nil { return nil }
            default:
                return nil
            }
        }
        return response.joined(separator: "; ")
    }

    private static func windowBits(_ text: String) -> Int? {
        guard text.allSatisfy(\.isASCIIDigit), let bits = Int(text), (8...15).contains(bits) else { return nil }
        return bits
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        var trimmed = self
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}

private extension String {
    func trimmingQuotes() -> String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : self
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

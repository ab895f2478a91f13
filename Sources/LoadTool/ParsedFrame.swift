import NIOCore

/// What the load tool needs to know about one frame from the server, found by scanning
/// bytes rather than decoding JSON: the receive path is the tool's own ceiling.
enum ParsedFrame {
    /// A reply to a command (`{"re":…,"ok":…}`).
    struct Reply {
        var id: Int?
        var ok: Bool
        var code: String?
    }

    /// A benchmark chat text `B|<seq>|<sent ns>|…` found in a chat message.
    struct Marker {
        var seq: Int
        var sentNanos: UInt64
    }

    case reply(Reply)
    case marker(Marker)
    case event(type: String)
    /// Engine.IO: the server's open packet, its namespace connect, its ping.
    case engineOpen
    case engineConnected
    case enginePing
    case other

    /// Reads a Switchboard frame (`shared/design/protocol.md`): replies, `chat.message`
    /// events carrying a marker, and other events by type.
    static func switchboard(_ buffer: ByteBuffer) -> ParsedFrame {
        buffer.withUnsafeReadableBytes { bytes in
            if bytes.starts(with: Pattern.replyPrefix) {
                return .reply(reply(bytes))
            }
            guard let typeAt = bytes.find(Pattern.typeKey) else { return .other }
            let type = bytes.string(from: typeAt, upTo: UInt8(ascii: "\""))
            if type == "chat.message", let marker = marker(bytes) {
                return .marker(marker)
            }
            return .event(type: type)
        }
    }

    /// Reads an Engine.IO v4 / Socket.IO v5 packet: `0{…}` open, `40{…}` connected, `2`
    /// ping, `42["message",{…}]` a chat message.
    static func socketIO(_ buffer: ByteBuffer) -> ParsedFrame {
        buffer.withUnsafeReadableBytes { bytes in
            guard let first = bytes.first else { return .other }
            switch first {
            case UInt8(ascii: "2") where bytes.count == 1: return .enginePing
            case UInt8(ascii: "0"): return .engineOpen
            case UInt8(ascii: "4"):
                if bytes.count >= 2, bytes[1] == UInt8(ascii: "0") { return .engineConnected }
                return marker(bytes).map(ParsedFrame.marker) ?? .other
            default: return .other
            }
        }
    }

    /// Reads a peer frame whose only content of interest is the chat text (`hb-raw`
    /// forwards it verbatim, Django Channels wraps it in `{"message": …}`).
    static func markerOnly(_ buffer: ByteBuffer) -> ParsedFrame {
        buffer.withUnsafeReadableBytes { bytes in
            if let marker = marker(bytes) { return .marker(marker) }
            return .other
        }
    }

    private static func reply(_ bytes: UnsafeRawBufferPointer) -> Reply {
        var index = Pattern.replyPrefix.count
        let id = bytes.integer(at: &index)
        let ok = bytes.find(Pattern.okTrue) != nil
        var code: String?
        if !ok, let codeAt = bytes.find(Pattern.codeKey) {
            code = bytes.string(from: codeAt, upTo: UInt8(ascii: "\""))
        }
        return Reply(id: id, ok: ok, code: code)
    }

    private static func marker(_ bytes: UnsafeRawBufferPointer) -> Marker? {
        guard var index = bytes.find(Pattern.marker) else { return nil }
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let seq = bytes.integer(at: &index), index < bytes.count, bytes[index] == UInt8(ascii: "|") else {
            return nil
        }
        index += 1
        guard let sent = bytes.integer(at: &index) else { return nil }
        return Marker(seq: negative ? -seq : seq, sentNanos: UInt64(sent))
    }
}

/// The byte patterns the scanner looks for.
private enum Pattern {
    static let replyPrefix = Array(#"{"re":"#.utf8)
    static let typeKey = Array(#""type":""#.utf8)
    static let okTrue = Array(#""ok":true"#.utf8)
    static let codeKey = Array(#""code":""#.utf8)
    static let marker = Array("B|".utf8)
}

extension UnsafeRawBufferPointer {
    /// The index just past the first occurrence of `pattern`.
    func find(_ pattern: [UInt8]) -> Int? {
        guard let first = pattern.first, count >= pattern.count else { return nil }
        var index = 0
        let last = count - pattern.count
        while index <= last {
            if self[index] == first {
                var matched = 1
                while matched < pattern.count, self[index + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return index + pattern.count }
            }
            index += 1
        }
        return nil
    }

    /// Decimal digits at `index` (advanced past them); nil when there are none.
    func integer(at index: inout Int) -> Int? {
        var value = 0
        let start = index
        while index < count, self[index] >= 48, self[index] <= 57, index - start < 19 {
            value = value * 10 + Int(self[index] - 48)
            index += 1
        }
        return index == start ? nil : value
    }

    func string(from start: Int, upTo terminator: UInt8) -> String {
        var end = start
        while end < count, self[end] != terminator { end += 1 }
        return String(decoding: self[start..<end], as: UTF8.self)
    }
}

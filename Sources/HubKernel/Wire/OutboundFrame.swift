public import Foundation
public import NIOCore

/// Builds the bytes of server → client frames.
///
/// Events are encoded once per publish: the payload is encoded by `JSONEncoder` and the
/// envelope is spliced around it, so fan-out writes the same buffer to every subscriber.
public enum OutboundFrame {
    /// A successful reply `{"re":…,"ok":true,"data":…}`.
    public static func reply(to id: CommandID?, payload: Data) -> ByteBuffer {
        reply(to: id, payloadSize: payload.count) { $0.writeBytes(payload) }
    }

    /// A successful reply whose payload is already JSON bytes.
    public static func reply(to id: CommandID?, payload: ByteBuffer) -> ByteBuffer {
        reply(to: id, payloadSize: payload.readableBytes) { buffer in
            var payload = payload
            buffer.writeBuffer(&payload)
        }
    }

    private static func reply(to id: CommandID?, payloadSize: Int, writePayload: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payloadSize + 32)
        buffer.writeStaticString("{\"re\":")
        writeID(id, into: &buffer)
        buffer.writeStaticString(",\"ok\":true,\"data\":")
        writePayload(&buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    /// A failed reply `{"re":…,"ok":false,"error":{…}}`.
    public static func error(_ error: HubError, re id: CommandID?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"re\":")
        writeID(id, into: &buffer)
        buffer.writeStaticString(",\"ok\":false,\"error\":")
        buffer.writeBytes((try? JSONEncoder().encode(ErrorBody(error))) ?? Data("{\"code\":\"internal\",\"message\":\"\"}".utf8))
        buffer.writeStaticString("}")
        return buffer
    }

    /// An event `{"type":…,"topic":…,"seq":…,"data":…}`; `topic` and `seq` are omitted when nil.
    public static func event(type: String, topic: String?, seq: Int64?, payload: Data) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + type.utf8.count + (topic?.utf8.count ?? 0) + 48)
        buffer.writeStaticString("{\"type\":")
        writeJSONString(type, into: &buffer)
        if let topic {
            buffer.writeStaticString(",\"topic\":")
            writeJSONString(topic, into: &buffer)
        }
        if let seq {
            buffer.writeStaticString(",\"seq\":")
            buffer.writeString(String(seq))
        }
        buffer.writeStaticString(",\"data\":")
        buffer.writeBytes(payload)
        buffer.writeStaticString("}")
        return buffer
    }

    private static func writeID(_ id: CommandID?, into buffer: inout ByteBuffer) {
        switch id {
        case .none: buffer.writeStaticString("null")
        case .int(let value): buffer.writeString(String(value))
        case .string(let value): writeJSONString(value, into: &buffer)
        }
    }

    /// Writes a JSON string literal with the escapes RFC 8259 requires.
    static func writeJSONString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        // most names need no escaping: copy them whole
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            buffer.writeString(string)
            buffer.writeInteger(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hex[Int(byte >> 4)])
                buffer.writeInteger(hex[Int(byte & 0xF)])
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

/// An empty JSON object, the reply of commands that return nothing (`{}`).
public struct EmptyReply: Codable, Sendable, Equatable {
    public init() {}
}

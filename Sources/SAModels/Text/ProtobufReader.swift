/// A minimal reader of the protobuf wire format (proto2), enough to decode SentencePiece's `ModelProto`.
///
/// Reads fields in order as (field number, value); unknown fields are skipped by the caller with `skip`.
/// Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit (groups, 3 and 4, are rejected).
/// Every read is bounds-checked; a truncated or malformed message throws `ProtobufReader.Failure` with the
/// byte offset, which the caller turns into a `TokenizerError` naming the file and the field.
struct ProtobufReader {
    struct Failure: Error {
        let offset: Int
        let reason: String
    }

    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var offset: Int
    /// One past the last byte of this (sub)message.
    private let end: Int

    init(bytes: [UInt8]) {
        self.init(bytes: bytes, range: 0..<bytes.count)
    }

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { offset >= end }

    /// The next field's number and wire type.
    mutating func nextField() throws -> (number: Int, wireType: WireType) {
        let start = offset
        let key = try readVarint()
        let number = Int(key >> 3)
        guard number > 0, let wireType = WireType(rawValue: Int(key & 7)) else {
            throw Failure(offset: start, reason: "invalid field key \(key) (field \(key >> 3), wire type \(key & 7))")
        }
        return (number, wireType)
    }

    /// A base-128 varint (at most 10 bytes).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < end else { throw Failure(offset: start, reason: "truncated varint") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Failure(offset: start, reason: "varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A proto `int32` varint (negative values are sign-extended to 64 bits on the wire).
    mutating func readInt32() throws -> Int {
        Int(Int32(truncatingIfNeeded: Int64(bitPattern: try readVarint())))
    }

    mutating func readBool() throws -> Bool { try readVarint() != 0 }

    /// A little-endian `float` (wire type 5).
    mutating func readFloat() throws -> Float {
        guard end - offset >= 4 else { throw Failure(offset: offset, reason: "truncated 32-bit value") }
        var bits: UInt32 = 0
        for index in 0..<4 { bits |= UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
        offset += 4
        return Float(bitPattern: bits)
    }

    /// The byte range of a length-delimited field's payload (string, bytes or submessage), consumed.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let start = offset
        let length = try readVarint()
        guard length <= UInt64(end - offset) else {
            throw Failure(offset: start, reason: "length \(length) runs past the end of the message (\(end - offset) bytes left)")
        }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    /// The payload of a length-delimited field as bytes.
    mutating func readBytes() throws -> [UInt8] { Array(bytes[try readLengthDelimited()]) }

    /// The payload of a length-delimited field as UTF-8 text.
    mutating func readString() throws -> String {
        let range = try readLengthDelimited()
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw Failure(offset: range.lowerBound, reason: "string is not valid UTF-8")
        }
        return text
    }

    /// A reader over a submessage's payload.
    mutating func readMessage() throws -> ProtobufReader {
        ProtobufReader(bytes: bytes, range: try readLengthDelimited())
    }

    /// Skips a field's value.
    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - offset >= 8 else { throw Failure(offset: offset, reason: "truncated 64-bit value") }
            offset += 8
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32:
            guard end - offset >= 4 else { throw Failure(offset: offset, reason: "truncated 32-bit value") }
            offset += 4
        }
    }

    /// Throws unless the field has the wire type the schema gives it.
    func expect(_ wireType: WireType, _ actual: WireType, field: String) throws {
        guard wireType == actual else {
            throw Failure(offset: offset, reason: "field \(field) has wire type \(actual.rawValue), expected \(wireType.rawValue)")
        }
    }
}

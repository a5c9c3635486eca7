import CSystemd
import Foundation
public import Logging

/// A swift-log handler writing structured entries to the systemd journal
/// (`sd_journal_sendv`): `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, the logger label and
/// every metadata key as an upper-case field (`SYNSE_<KEY>`).
public struct JournalLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level = .info
  /// Adds metadata of the moment (OpenTelemetry's `trace_id`, `span_id`) to every entry.
  public var metadataProvider: Logger.MetadataProvider?
  let label: String
  let identifier: String

  public init(label: String, identifier: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.identifier = identifier
    self.metadataProvider = metadataProvider
  }

  /// Whether stderr is connected to the journal (`JOURNAL_STREAM` names its device and inode),
  /// as it is for a service started by systemd: then logging straight to the journal keeps the
  /// fields structured.
  public static func stderrIsJournal() -> Bool {
    guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
    let parts = stream.split(separator: ":")
    guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
    var info = stat()
    guard fstat(STDERR_FILENO, &info) == 0 else { return false }
    return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var fields = [
      "MESSAGE=\(event.message)", "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=\(identifier)",
      "LOGGER=\(label)", "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)",
    ]
    let provided = metadataProvider?.get() ?? [:]
    for (key, value) in provided.merging(metadata) { _, new in new }.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
      fields.append("\(Self.fieldName(key))=\(value)")
    }
    Self.send(fields)
  }

  /// Sends one entry; journald being absent drops it silently (as libsystemd does).
  static func send(_ fields: [String]) {
    var storage = fields.map { Array($0.utf8) }
    var vectors: [iovec] = []
    vectors.reserveCapacity(storage.count)
    for index in storage.indices {
      storage[index].withUnsafeMutableBytes { bytes in
        vectors.append(iovec(iov_base: bytes.baseAddress, iov_len: bytes.count))
      }
    }
    // The pointers stay valid: `storage` is not mutated again before the call returns.
    withExtendedLifetime(storage) {
      _ = sd_journal_sendv(vectors, Int32(vectors.count))
    }
  }

  static func priority(_ level: Logger.Level) -> Int {
    switch level {
    case .trace, .debug: return 7
    case .info: return 6
    case .notice: return 5
    case .warning: return 4
    case .error: return 3
    case .critical: return 2
    }
  }

  /// Journal field names: upper-case ASCII letters, digits and `_`, not starting with `_`.
  static func fieldName(_ key: String) -> String {
    let cleaned = String(key.uppercased().unicodeScalars.map { scalar -> Character in
      (scalar.isASCII && (CharacterSet.uppercaseLetters.contains(scalar) || CharacterSet.decimalDigits.contains(scalar))) ? Character(scalar) : "_"
    })
    return String("SYNSE_\(cleaned)".prefix(64))
  }
}

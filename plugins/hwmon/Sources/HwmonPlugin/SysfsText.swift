import Foundation

/// Strings read from sysfs (chip names, labels, paths, driver names) made fit for where they
/// go. Drivers pick these freely (`ucsi_source_psy_USBC000:001`, `'  AUXTIN0   '`, bytes
/// that are not UTF-8), so none of them may reach a tag or the SDK's templates unchanged.
public enum SysfsText {
  /// A tag label (docs/plugin-protocol.md §3.2.4 forbids `/`, `:` and blanks; `,` would split an
  /// HTTP `tags=` list): every character outside `A–Z a–z 0–9 . _ -` becomes `_`, an empty
  /// string becomes `_`. `ucsi_source_psy_USBC000:001-isa-0000` →
  /// `ucsi_source_psy_USBC000_001-isa-0000`. The raw string stays in the device context.
  public static func tagLabel(_ raw: String) -> String {
    var label = ""
    label.unicodeScalars.reserveCapacity(raw.unicodeScalars.count)
    for scalar in raw.unicodeScalars {
      let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        || scalar == "." || scalar == "_" || scalar == "-"
      label.unicodeScalars.append(allowed ? scalar : "_")
    }
    return label.isEmpty ? "_" : label
  }

  /// A device context value: the raw string, except that `{{` is written `{ {`, since the SDK
  /// renders context values as Go templates (a label `{{` would fail the whole device set, and
  /// `{{ env "X" }}` would be expanded).
  public static func contextValue(_ raw: String) -> String {
    raw.contains("{{") ? raw.replacingOccurrences(of: "{{", with: "{ {") : raw
  }

  /// A channel label: trimmed of blanks and line breaks at both ends, as node_exporter does
  /// (Nuvoton chips print `'  AUXTIN0   '`); control characters inside (ESC, newline) become
  /// blanks, since the label is the device's `info` and lands in terminals and log lines; at
  /// most ``labelLimit`` characters, the rest cut with `…`. Nothing left = no label.
  public static func label(_ raw: String) -> String? {
    var cleaned = String.UnicodeScalarView()
    for scalar in raw.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars {
      cleaned.append(scalar.properties.generalCategory == .control ? " " : scalar)
    }
    let text = String(cleaned)
    if text.isEmpty { return nil }
    return text.count > labelLimit ? String(text.prefix(labelLimit - 1)) + "…" : text
  }

  /// The longest label kept whole: real ones are a few words (`Package id 0`, `AUXTIN0`).
  public static let labelLimit = 128

  /// Orders paths as people number things: `ata9` before `ata10`.
  static func naturalOrder(_ left: String, _ right: String) -> Bool {
    left.compare(right, options: [.numeric, .literal]) == .orderedAscending
  }
}

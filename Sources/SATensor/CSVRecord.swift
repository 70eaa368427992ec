/// One line of a CSV file split into fields, with RFC 4180 quoting (`"a,b"` is one field, `""` inside quotes is a
/// literal quote). Records spanning several lines are not supported; callers read line by line and report line
/// numbers in their errors. Used by the prompt lists of `generate --batch` and `score --prompts`.
public enum CSVRecord {
    /// The fields of `line`, in order; an empty line is one empty field.
    public static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

// Fixed-point number formatting for messages and tables, without Foundation's locale-dependent formatters.

/// "0.250 s" below 10 s, "12.5 s" above.
func formatSeconds(_ seconds: Double) -> String {
    seconds < 10 ? String(format3(seconds)) + " s" : String(format1(seconds)) + " s"
}

func formatDecibels(_ value: Double?) -> String {
    guard let value else { return "−∞" }
    return format1(value)
}

/// Fixed-point formatting without Foundation's locale: `value` rounded to 1 or 3 decimals.
func format1(_ value: Double) -> String { fixed(value, decimals: 1) }
func format3(_ value: Double) -> String { fixed(value, decimals: 3) }

func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (Swift.abs(value) * scale).rounded()
    let integer = Int(rounded / scale)
    let fraction = Int(rounded - Double(integer) * scale)
    let sign = value < 0 && rounded != 0 ? "-" : ""
    guard decimals > 0 else { return sign + String(integer) }
    var fractionText = String(fraction)
    while fractionText.count < decimals { fractionText = "0" + fractionText }
    return "\(sign)\(integer).\(fractionText)"
}

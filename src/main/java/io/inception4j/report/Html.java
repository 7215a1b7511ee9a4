package io.inception4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The pieces the pages share: escaping, the page frame with its inline style, CSV reading. */
public final class Html {
    private Html() {}

    static final String STYLE = """
            body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
            .sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:.5em 0;font-size:.92em}
            td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f4f6f8}td.l,th.l{text-align:left}
            .big{font-size:1.5em;font-weight:600}.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}
            pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.8em;overflow:auto;font-size:.85em;max-height:28em}
            svg{max-width:100%;height:auto}details{margin:.5em 0}.bad{color:#b00}.ok{color:#070}a{color:#1565c0}
            """;

    static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title><style>" + STYLE + "</style></head><body>\n" + body + "\n<p class=\"sub\">Written by inception4j; "
                + "this page needs no server and no internet.</p></body></html>\n";
    }

    /** A CSV file as rows of fields (quoted fields as written by the project's tables). */
    static List<List<String>> csv(Path file) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) rows.add(csvFields(line));
        }
        return rows;
    }

    /** One CSV line's fields: commas separate, double quotes quote, a doubled quote is a quote. */
    public static List<String> csvFields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else if (c == '"') quoted = false;
                else cur.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { out.add(cur.toString()); cur.setLength(0); }
            else cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    static double number(String s) {
        try {
            return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}

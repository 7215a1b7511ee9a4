package io.inception4j.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys, block types and block ids. */
public final class Suggestions {
    private Suggestions() {}

    /** The closest candidate within an edit distance that still looks like a typo, if any. */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        int limit = Math.max(2, word.length() / 3);
        return candidates.stream()
                .filter(c -> distance(word.toLowerCase(), c.toLowerCase()) <= limit)
                .min(Comparator.comparingInt(c -> distance(word.toLowerCase(), c.toLowerCase())));
    }

    /** " (did you mean 'x'?)" or the empty string. */
    public static String didYouMean(String word, Collection<String> candidates) {
        return nearest(word, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}

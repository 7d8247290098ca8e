package org.dossier.platform;

import java.util.function.Function;

/** What a query of a {@link QueryBatch} answers, available once the batch has run. */
@FunctionalInterface
public interface Deferred<T> {

    /** The answer; throws {@link IllegalStateException} if the batch has not run. */
    T get();

    /** The answer turned into another once it is there (a bound checked, rows filtered), without running anything. */
    default <R> Deferred<R> map(Function<? super T, ? extends R> f) {
        return () -> f.apply(get());
    }
}

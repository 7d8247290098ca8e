package org.dossier.platform;

import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a screen's form post says after it redirects: the notice (a message key) when the change was made, the refusal's
 * own words when the input was invalid or stale. Other refusals (forbidden, not found) are not caught: the error page
 * answers them as it does for any request.
 */
public final class FormPosts {

    private FormPosts() {
    }

    /**
     * Makes the change and flashes its notice or its refusal.
     *
     * @param flash  where the redirect's flash attributes go ({@code redirect::addFlashAttribute})
     * @param change the change, answering what it made
     * @param notice the key of the notice to show for what was made
     * @return what was made, empty when the change was refused
     */
    public static <T> Optional<T> attempt(BiConsumer<String, Object> flash, Supplier<T> change, Function<? super T, String> notice) {
        try {
            T made = change.get();
            flash.accept("notice", notice.apply(made));
            return Optional.ofNullable(made);
        } catch (InvalidInputException | ConflictException refused) {
            flash.accept("error", refused.getMessage());
            return Optional.empty();
        }
    }

    /** The same for a change whose notice does not depend on its result. */
    public static void attempt(BiConsumer<String, Object> flash, String notice, Runnable change) {
        attempt(flash, () -> {
            change.run();
            return notice;
        }, made -> notice);
    }
}

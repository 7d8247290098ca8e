package org.dossier.web;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

import java.beans.PropertyEditorSupport;

/**
 * Text bound from request parameters, path variables and multipart fields (which the input filter does not read)
 * may not hold a NUL character: PostgreSQL refuses U+0000 in text. The refusal is a type mismatch, which the API
 * and the screens answer 400/422 naming the parameter.
 */
@ControllerAdvice
class TextBinding {

    static final String NUL_MESSAGE = "contains a NUL character (U+0000), which cannot be stored: remove it";

    @InitBinder
    void noNul(WebDataBinder binder) {
        binder.registerCustomEditor(String.class, new PropertyEditorSupport() {
            @Override
            public void setAsText(String text) {
                if (text != null && text.indexOf('\u0000') >= 0) {
                    throw new IllegalArgumentException(NUL_MESSAGE);
                }
                setValue(text);
            }
        });
    }
}

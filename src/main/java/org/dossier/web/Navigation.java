package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the layout shows of the signed-in person on every screen — name and roles, so the menu offers what their roles
 * use. Added after the page's controller ran, once the request's actor is known; pages before sign-in have no one.
 */
@Configuration(proxyBeanMethods = false)
class Navigation implements WebMvcConfigurer, HandlerInterceptor {

    private final OrganizationService organization;

    Navigation(OrganizationService organization) {
        this.organization = organization;
    }

    /** The person in the header; roles as names so templates test them with {@code me.has('PHYSICIAN')}. */
    public record Me(long staffId, String username, String displayName, Set<String> roles) {
        public boolean has(String role) {
            return roles.contains(role);
        }

        public boolean clinician() {
            return roles.contains("PHYSICIAN") || roles.contains("NURSE");
        }
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler, ModelAndView page) {
        if (page != null && handler instanceof HandlerMethod && !page.getModel().containsKey("me")) {
            page.addObject("me", me(request));
        }
    }

    Me me(HttpServletRequest request) {
        if (!(request.getAttribute(Actor.REQUEST_ATTRIBUTE) instanceof Actor actor)) {
            return null;
        }
        String name = organization.staffMember(actor.staffId()).displayName();
        return new Me(actor.staffId(), actor.username(), name, actor.roles().stream().map(Role::name).collect(Collectors.toSet()));
    }
}

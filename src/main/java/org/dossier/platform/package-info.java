/** Shared plumbing every module may use: the database, the clock, and the error vocabulary turned into RFC 9457 problems. */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package org.dossier.platform;

/** The clinicians' screens tested in a real headless Chromium: each journey as a person would go through it. */
package org.dossier.ui;

/** The demo hospital: a deterministic generator of realistic French-looking facilities, staff and patients, loaded on first start. */
package org.dossier.demo;

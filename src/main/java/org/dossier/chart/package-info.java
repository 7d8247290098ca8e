/** The assembled views of one patient's record: the chart summary, built from the modules' services. */
package org.dossier.chart;

/** REST endpoint of the chart summary. */
package org.dossier.chart.web;

package org.dossier.peer;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.subscription.match.config.SubscriptionProcessorConfig;
import ca.uhn.fhir.jpa.subscription.submit.config.SubscriptionSubmitterConfig;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.binary.api.IBinaryStorageSvc;
import ca.uhn.fhir.jpa.binstore.DatabaseBinaryContentStorageSvcImpl;
import ca.uhn.fhir.jpa.subscription.match.deliver.email.IEmailSender;
import org.springframework.context.annotation.Lazy;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.entity.NormalizedQuantitySearchLevel;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.narrative.DefaultThymeleafNarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.CorsInterceptor;
import ca.uhn.fhir.rest.server.interceptor.LoggingInterceptor;
import ca.uhn.fhir.rest.server.interceptor.ResponseHighlighterInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.web.cors.CorsConfiguration;

/**
 * The benchmark's peer: HAPI FHIR's JPA server for R4, with the beans HAPI's hapi-fhir-jpaserver-starter defines and the
 * values its application.yaml and AppProperties give them by default (no authorization, no audit). What is left out is
 * listed in bench/peer/README.md: optional operations and modules the default configuration does not enable.
 */
@SpringBootApplication(exclude = {ElasticsearchRestClientAutoConfiguration.class, ThymeleafAutoConfiguration.class})
@Import({ThreadPoolFactoryConfig.class, JpaR4Config.class, HapiJpaConfig.class, JpaBatch2Config.class, Batch2JobsConfig.class,
    SubscriptionSubmitterConfig.class, SubscriptionProcessorConfig.class, SubscriptionChannelConfig.class})
public class PeerServer {

  public static void main(String[] args) {
    SpringApplication.run(PeerServer.class, args);
  }

  /** The starter's FhirServerConfigCommon#jpaStorageSettings with AppProperties' defaults. */
  @Bean
  public JpaStorageSettings jpaStorageSettings() {
    JpaStorageSettings s = new JpaStorageSettings();
    s.setPreExpandValueSets(true);
    s.setEnableTaskPreExpandValueSets(true);
    s.setPreExpandValueSetsDefaultCount(1000);
    s.setPreExpandValueSetsMaxCount(1000);
    s.setMaximumExpansionSize(1000);
    s.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
    s.setAutoCreatePlaceholderReferenceTargets(false);
    s.setMassIngestionMode(false);
    s.setEnforceReferentialIntegrityOnWrite(true);
    s.setEnforceReferentialIntegrityOnDelete(true);
    s.setAllowContainsSearches(true);
    s.setAllowMultipleDelete(false);
    s.setAllowExternalReferences(false);
    s.setSchedulingDisabled(false);
    s.setDeleteExpungeEnabled(false);
    s.setExpungeEnabled(true);
    s.setLanguageSearchParameterEnabled(false);
    s.setValidateResourceStatusForPackageUpload(true);
    s.setIndexOnUpliftedRefchains(false);
    s.setFetchSizeDefaultMaximum(Integer.MAX_VALUE);
    s.setReuseCachedSearchResultsForMillis(60000L);
    s.setExpireSearchResultsAfterMillis(60L * 60 * 1000);
    s.setFilterParameterEnabled(true);
    s.setHibernateSearchIndexSearchParams(false);
    s.setStoreResourceInHSearchIndex(false);
    s.setNormalizedQuantitySearchLevel(NormalizedQuantitySearchLevel.NORMALIZED_QUANTITY_SEARCH_NOT_SUPPORTED);
    s.setIndexOnContainedResources(false);
    s.setDeferIndexingForCodesystemsOfSize(100);
    s.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
    s.setResourceDbHistoryEnabled(true);
    s.setBundleBatchPoolSize(100); // the starter sets 20, then overwrites it with the max size, 100
    s.setDefaultSearchParamsCanBeOverridden(true);
    s.setIndexIdentifierOfType(false);
    return s;
  }

  @Bean
  public PartitionSettings partitionSettings() {
    return new PartitionSettings(); // partitioning off: the starter's default
  }

  @Bean
  public SubscriptionSettings subscriptionSettings() {
    return new SubscriptionSettings(); // no subscription channel enabled: the starter's default
  }

  /** No e-mail subscription configured: the starter's no-op sender. */
  @Bean
  public IEmailSender emailSender() {
    return details -> {};
  }

  /** The starter's binary storage service (binaries in the database; binary_storage_enabled is off by default). */
  @Lazy
  @Bean
  public IBinaryStorageSvc binaryStorageSvc() {
    return new DatabaseBinaryContentStorageSvcImpl();
  }

  /** As the starter's StarterJpaConfig#entityManagerFactory, with the hibernate properties of its application.yaml. */
  @Primary
  @Bean
  public LocalContainerEntityManagerFactoryBean entityManagerFactory(DataSource dataSource,
      ConfigurableListableBeanFactory beanFactory, FhirContext fhirContext, JpaStorageSettings settings, Environment env) {
    LocalContainerEntityManagerFactoryBean emf =
        HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, settings);
    emf.setPersistenceUnitName("HAPI_PU");
    emf.setDataSource(dataSource);
    Properties jpa = new Properties();
    jpa.put("hibernate.dialect", "ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect");
    jpa.put("hibernate.format_sql", "false");
    jpa.put("hibernate.show_sql", "false");
    jpa.put("hibernate.search.enabled", "false");
    jpa.put("hibernate.hbm2ddl.auto", env.getProperty("peer.hbm2ddl", "update"));
    emf.setJpaProperties(jpa);
    return emf;
  }

  @Primary
  @Bean
  public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
    return new JpaTransactionManager(entityManagerFactory);
  }

  /** The starter's request log (AppProperties.Logger's defaults). */
  @Bean
  public LoggingInterceptor loggingInterceptor() {
    LoggingInterceptor logging = new LoggingInterceptor();
    logging.setLoggerName("fhirtest.access");
    logging.setMessageFormat("Path[${servletPath}] Source[${requestHeader.x-forwarded-for}] "
        + "Operation[${operationType} ${operationName} ${idOrResourceName}] UA[${requestHeader.user-agent}] "
        + "Params[${requestParameters}] ResponseEncoding[${responseEncodingNoDefault}]");
    logging.setErrorMessageFormat("ERROR - ${requestVerb} ${requestUrl}");
    logging.setLogExceptions(true);
    return logging;
  }

  /** The starter's RestfulServer bean, default branch by default branch. */
  @Bean
  public ServletRegistrationBean<RestfulServer> fhirServlet(IFhirSystemDao<?, ?> systemDao,
      ResourceProviderFactory resourceProviders, JpaSystemProvider<?, ?> systemProvider, JpaStorageSettings settings,
      ISearchParamRegistry searchParams, IValidationSupport validation, DatabaseBackedPagingProvider paging,
      LoggingInterceptor logging) {
    FhirContext ctx = systemDao.getContext();
    ctx.setNarrativeGenerator(new DefaultThymeleafNarrativeGenerator()); // narrative_enabled: true
    RestfulServer server = new RestfulServer(ctx);
    server.registerProviders(resourceProviders.createProviders());
    server.registerProvider(systemProvider);
    JpaCapabilityStatementProvider capabilities =
        new JpaCapabilityStatementProvider(server, systemDao, settings, searchParams, validation);
    capabilities.setImplementationDescription("HAPI FHIR R4 Server");
    server.setServerConformanceProvider(capabilities);
    server.setETagSupport(ETagSupportEnum.ENABLED);
    server.setDefaultPrettyPrint(true);
    server.setDefaultResponseEncoding(EncodingEnum.JSON);
    paging.setDefaultPageSize(20);
    paging.setMaximumPageSize(Integer.MAX_VALUE);
    server.setPagingProvider(paging);
    server.registerInterceptor(new ResponseHighlighterInterceptor());
    server.registerInterceptor(logging);
    server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
    server.registerInterceptor(cors());
    ServletRegistrationBean<RestfulServer> servlet = new ServletRegistrationBean<>(server, "/fhir/*");
    servlet.setLoadOnStartup(1);
    return servlet;
  }

  /** The starter's CorsInterceptor, enabled by its application.yaml (allowed_origin '*'). */
  private static CorsInterceptor cors() {
    CorsConfiguration config = new CorsConfiguration();
    for (String header : List.of("Origin", "Accept", "Content-Type", "Authorization", "Cache-Control", "x-fhir-starter",
        "X-Requested-With", "Prefer")) {
      config.addAllowedHeader(header);
    }
    config.addAllowedOriginPattern("*");
    config.addExposedHeader("Location");
    config.addExposedHeader("Content-Location");
    config.setAllowedMethods(Arrays.asList("GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"));
    config.setAllowCredentials(true);
    return new CorsInterceptor(config);
  }
}

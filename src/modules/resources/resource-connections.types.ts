import { ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import { Dataset, Ontology, Project } from './resource.types';

@ObjectType('ProjectConnection')
export class ProjectConnection extends Connection(Project) {}

@ObjectType('DatasetConnection')
export class DatasetConnection extends Connection(Dataset) {}

@ObjectType('OntologyConnection')
export class OntologyConnection extends Connection(Ontology) {}
